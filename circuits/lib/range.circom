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
 * SignedAmount(): a signed integer v with |v| < 2^64, given as a sign bit and a magnitude.
 * Outputs the positive part (v if v >= 0, else 0) and the negative part (-v if v < 0, else 0).
 */
template SignedAmount() {
    signal input sign;
    signal input magnitude;
    signal output positive;
    signal output negative;

    sign * (sign - 1) === 0;
    RangeCheck(64)(magnitude);
    negative <== sign * magnitude;
    positive <== magnitude - negative;
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
