pragma circom 2.2.0;

include "range.circom";
include "tiers.circom";
include "hash.circom";

/*
 * AccountHealth(A, M, T, K): the margin figures of one margin account (docs/statement.md, "Account rules").
 *
 * Inputs
 *   balanceSign[A], balanceMagnitude[A]   net balance per asset, |v| < 2^64 quanta (1 unit = 1e8 quanta);
 *                                         negative = debt to the venue. For the settlement asset this is
 *                                         the dYdX quote balance, which already holds -size * entry price.
 *   positionSign[M], positionMagnitude[M] signed perpetual size per market, |s| < 2^64 quanta
 *   price[A], mark[M]                     USD * 1e8 per unit, range-checked by the caller
 *   tier*, bracket*                       the epoch's collateral tiers and margin brackets (see tiers.circom);
 *                                         the settlement asset (asset 0) has one tier: its value is linear
 *   tierSel[A-1][T], bracketSel[M][K]     prover-chosen one-hot selectors for assets 1.. and markets,
 *                                         tied to the values inside
 * Outputs
 *   equity[A], debt[A]                    positive and negative parts of each balance (quanta)
 *   long[M], short[M]                     positive and negative parts of each position (quanta)
 *   value                                 haircut equity: sum_a price_a * (C_a(equity_a) - 1e6 * debt_a)
 *                                         + 1e6 * sum_m mark_m * (long_m - short_m), USD * 1e22
 *   maintenance                           sum_m MM_m, USD * 1e22
 *   free                                  value - maintenance; |value|, |free| < 2^FreeBits(A, M)
 */
/*
 * FreeBits(A, M): bits that bound |value| and |free|. With 64-bit amounts and prices and rates of at most
 * 1e6 (< 2^20), each asset term, each position value and each maintenance margin is below 2^148, so
 * |free| < (A + 2M) * 2^148 <= 2^FreeBits.
 */
function FreeBits(A, M) {
    var bits = 148;
    var capacity = 1;
    while (capacity < A + 2 * M) {
        capacity *= 2;
        bits += 1;
    }
    return bits;
}

template AccountHealth(A, M, T, K) {
    assert(A >= 2);
    signal input balanceSign[A];
    signal input balanceMagnitude[A];
    signal input positionSign[M];
    signal input positionMagnitude[M];
    signal input price[A];
    signal input tierFloor[A][T];
    signal input tierRate[A][T];
    signal input tierBase[A][T];
    signal input mark[M];
    signal input bracketFloor[M][K];
    signal input bracketRate[M][K];
    signal input bracketCum[M][K];
    signal input tierSel[A - 1][T];
    signal input bracketSel[M][K];
    signal output equity[A];
    signal output debt[A];
    signal output long[M];
    signal output short[M];
    signal output value;
    signal output maintenance;
    signal output free;

    // 1. Collateral at its tiered haircut (the settlement asset at its one rate), debt at full value.
    signal collateral[A];
    signal assetTerm[A];
    var total = 0;
    for (var a = 0; a < A; a++) {
        (equity[a], debt[a]) <== SignedAmount()(balanceSign[a], balanceMagnitude[a]);
        if (a == 0) {
            _ <== tierFloor[0];
            _ <== tierBase[0];
            for (var j = 1; j < T; j++) {
                _ <== tierRate[0][j];
            }
            collateral[a] <== tierRate[0][0] * equity[a];
        } else {
            collateral[a] <== TieredCollateral(T)(equity[a], tierFloor[a], tierRate[a], tierBase[a], tierSel[a - 1]);
        }
        assetTerm[a] <== price[a] * (collateral[a] - 1000000 * debt[a]);
        total += assetTerm[a];
    }

    // 2. Perpetuals marked to the epoch's mark price, with tiered maintenance margin.
    signal positionValue[M];
    signal positionMargin[M];
    var margin = 0;
    for (var m = 0; m < M; m++) {
        (long[m], short[m]) <== SignedAmount()(positionSign[m], positionMagnitude[m]);
        positionValue[m] <== mark[m] * (long[m] - short[m]);
        positionMargin[m] <== TieredMaintenance(K)(long[m] + short[m], mark[m], bracketFloor[m],
                                                   bracketRate[m], bracketCum[m], bracketSel[m]);
        total += 1000000 * positionValue[m];
        margin += positionMargin[m];
    }
    value <== total;
    maintenance <== margin;
    free <== value - maintenance;
}

/*
 * MarginClass(bits): classifies a margin account by its haircut equity `value` and its free collateral
 * `free` = value - maintenance, both below 2^bits in magnitude (docs/statement.md, "Classes").
 *
 *   healthy       free >= 0
 *   liquidatable  0 <= value and free < 0
 *   bankrupt      value < 0
 * Outputs the class bits, the maintenance shortfall (-free when liquidatable, else 0) and the bad debt
 * (-value when bankrupt, else 0), in USD * 1e22. The prover chooses the bits healthy and solvent; each is
 * tied to the sign it claims by a range check of the value or of its complement, so no other choice has a
 * witness: for x with |x| < 2^bits, exactly one of x and -x - 1 lies in [0, 2^bits).
 */
template MarginClass(bits) {
    signal input value;
    signal input free;
    signal input healthy;
    signal input solvent;
    signal output liquidatable;
    signal output bankrupt;
    signal output shortfall;
    signal output badDebt;

    healthy * (healthy - 1) === 0;
    solvent * (solvent - 1) === 0;
    healthy * (1 - solvent) === 0;
    RangeCheck(bits)((2 * healthy - 1) * free + healthy - 1);
    RangeCheck(bits)((2 * solvent - 1) * value + solvent - 1);
    liquidatable <== solvent - healthy;
    bankrupt <== 1 - solvent;
    shortfall <== liquidatable * (0 - free);
    badDebt <== bankrupt * (0 - value);
}

/*
 * AccountLeaf(A, M): the account's Merkle leaf (docs/statement.md, "Account leaf").
 *   word_i = magnitude_i + 2^64 * sign_i for the A balances, then the M positions;
 *   packed_g = word_{3g} + 2^65 * word_{3g+1} + 2^130 * word_{3g+2};
 *   leaf = HashVector(key + 2^64 * LEAF_DOMAIN, salt, packed_0, ..., packed_{G-1}),  G = ceil((A + M) / 3).
 * The domain tag in the first element (keys are below 2^64) keeps leaves apart from tree nodes and
 * chain states, whose first elements are their own tags.
 * Signs and magnitudes are range-checked by AccountHealth, so the packing cannot overflow.
 */
template AccountLeaf(A, M) {
    signal input key;
    signal input salt;
    signal input balanceSign[A];
    signal input balanceMagnitude[A];
    signal input positionSign[M];
    signal input positionMagnitude[M];
    signal output leaf;

    var W = A + M;
    var G = (W + 2) \ 3;
    var words[W];
    for (var a = 0; a < A; a++) {
        words[a] = balanceMagnitude[a] + (2 ** 64) * balanceSign[a];
    }
    for (var m = 0; m < M; m++) {
        words[A + m] = positionMagnitude[m] + (2 ** 64) * positionSign[m];
    }
    signal preimage[2 + G];
    preimage[0] <== key + (2 ** 64) * LEAF_DOMAIN();
    preimage[1] <== salt;
    for (var g = 0; g < G; g++) {
        var packed = 0;
        var weight = 1;
        for (var i = 3 * g; i < 3 * g + 3 && i < W; i++) {
            packed += words[i] * weight;
            weight *= 2 ** 65;
        }
        preimage[2 + g] <== packed;
    }
    leaf <== HashVector(2 + G)(preimage);
}
