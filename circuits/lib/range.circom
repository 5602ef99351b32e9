pragma circom 2.2.0;

/*
 * Range checks and signed amounts.
 *
 * Every private value that enters arithmetic or a comparison passes through one of these first.
 * RangeCheck(n) pins `in` to [0, 2^n) by a full binary decomposition; n <= 252 keeps 2^n below
 * the BN254 scalar field order r, so the decomposition is unique (attack 4 of prior-art.md).
 */

template RangeCheck(n) {
    assert(n <= 252);
    signal input in;
    signal bits[n];
    var acc = 0;
    var weight = 1;
    for (var i = 0; i < n; i++) {
        bits[i] <-- (in >> i) & 1;
        bits[i] * (bits[i] - 1) === 0;
        acc += bits[i] * weight;
        weight += weight;
    }
    acc === in;
}

/*
 * SignedParts(): a signed integer v given as a sign bit and a magnitude that THE CALLER range-checks to
 * [0, 2^64) (a tier or bracket placement of the magnitude does: TierPlacement). Outputs the positive part
 * (v if v >= 0, else 0) and the negative part (-v if v < 0, else 0).
 */
template SignedParts() {
    signal input sign;
    signal input magnitude;
    signal output positive;
    signal output negative;

    sign * (sign - 1) === 0;
    negative <== sign * magnitude;
    positive <== magnitude - negative;
}

/* SignedAmount(): SignedParts of a magnitude range-checked here to [0, 2^64): |v| < 2^64. */
template SignedAmount() {
    signal input sign;
    signal input magnitude;
    signal output positive;
    signal output negative;

    RangeCheck(64)(magnitude);
    (positive, negative) <== SignedParts()(sign, magnitude);
}

/* NonZero(): constrains `in` != 0 (it has an inverse). */
template NonZero() {
    signal input in;
    signal inverse <-- in != 0 ? 1 / in : 0;
    in * inverse === 1;
}

/* IsZero(): out = 1 if in == 0, else 0. */
template IsZero() {
    signal input in;
    signal output out;
    signal inverse <-- in != 0 ? 1 / in : 0;
    out <== 1 - in * inverse;
    in * out === 0;
}
