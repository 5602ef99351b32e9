pragma circom 2.2.0;

include "range.circom";
include "tiers.circom";
include "hash.circom";

/*
 * AccountHealth(A, M, T, K): the margin rules for one (sub)account (docs/statement.md, "Account rules").
 *
 * Inputs
 *   balanceSign[A], balanceMagnitude[A]   net balance per asset, |v| < 2^64 quanta (1 unit = 1e8 quanta);
 *                                         negative = debt to the venue. For the settlement asset this is
 *                                         the dYdX quote balance, which already holds -size * entry price.
 *   positionSign[M], positionMagnitude[M] signed perpetual size per market, |s| < 2^64 quanta
 *   price[A], mark[M]                     USD * 1e8 per unit, range-checked by the caller
 *   tier*, bracket*                       the epoch's collateral tiers and margin brackets (see tiers.circom)
 *   tierSel[A][T], bracketSel[M][K]       prover-chosen one-hot selectors, tied to the values inside
 * Outputs
 *   equity[A], debt[A]                    positive and negative parts of each balance (quanta)
 *   long[M], short[M]                     positive and negative parts of each position (quanta)
 *   free                                  sum_a price_a * (C_a(equity_a) - 1e6 * debt_a)
 *                                         + 1e6 * sum_m mark_m * (long_m - short_m) - sum_m MM_m,
 *                                         in USD * 1e22; |free| < 2^FreeBits(A, M). The caller checks its sign.
 */
/*
 * FreeBits(A, M): bits that bound |free|. With 64-bit amounts and prices and rates of at most 1e6
 * (< 2^20), each asset term, each position value and each maintenance margin is below 2^148, so
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
    signal input tierSel[A][T];
    signal input bracketSel[M][K];
    signal output equity[A];
    signal output debt[A];
    signal output long[M];
    signal output short[M];
    signal output free;

    // 1. Collateral at its tiered haircut, debt at full value.
    signal collateral[A];
    signal assetTerm[A];
    var total = 0;
    for (var a = 0; a < A; a++) {
        (equity[a], debt[a]) <== SignedAmount()(balanceSign[a], balanceMagnitude[a]);
        collateral[a] <== TieredCollateral(T)(equity[a], tierFloor[a], tierRate[a], tierBase[a], tierSel[a]);
        assetTerm[a] <== price[a] * (collateral[a] - 1000000 * debt[a]);
        total += assetTerm[a];
    }

    // 2. Perpetuals marked to the epoch's mark price, with tiered maintenance margin.
    signal positionValue[M];
    signal maintenance[M];
    for (var m = 0; m < M; m++) {
        (long[m], short[m]) <== SignedAmount()(positionSign[m], positionMagnitude[m]);
        positionValue[m] <== mark[m] * (long[m] - short[m]);
        maintenance[m] <== TieredMaintenance(K)(long[m] + short[m], mark[m], bracketFloor[m],
                                                bracketRate[m], bracketCum[m], bracketSel[m]);
        total += 1000000 * positionValue[m] - maintenance[m];
    }
    free <== total;
}

/*
 * AccountLeaf(A, M): the account's Merkle leaf (docs/statement.md, "Account leaf").
 *   word_i = magnitude_i + 2^64 * sign_i for the A balances, then the M positions;
 *   packed_g = word_{3g} + 2^65 * word_{3g+1} + 2^130 * word_{3g+2};
 *   leaf = HashVector(key, salt, packed_0, ..., packed_{G-1}),  G = ceil((A + M) / 3).
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
    preimage[0] <== key;
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
