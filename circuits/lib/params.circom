pragma circom 2.2.0;

include "range.circom";
include "hash.circom";

/*
 * EpochParameters(A, M, T, K): unpacks the epoch's parameter vector and binds it to its hash.
 *
 * The vector (docs/statement.md, "Parameter vector") starts with the labels hash (the symbols of the
 * assets and markets and the declared insurance fund, hashed by every verifier) and then lists, per asset a:
 *   price, floor[1..T-1], rate[0..T-1]
 * then per market m:
 *   mark, sizeFloor[1..K-1], mmr[0..K-1], cum[1..K-1].
 * floor[0], sizeFloor[0] and cum[0] are the constant 0. The tier bases are derived here:
 *   base[0] = 0,  base[j] = base[j-1] + rate[j-1] * (floor[j] - floor[j-1]).
 * The hash of the vector is a
 * public input of every circuit, so no proof can use other prices or tables than the published
 * ones; prices and marks are also range-checked to 64 bits here.
 */
template EpochParameters(A, M, T, K) {
    var PER_ASSET = 2 * T;
    var PER_MARKET = 3 * K - 1;
    signal input vector[1 + A * PER_ASSET + M * PER_MARKET];
    signal input hash;
    signal output price[A];
    signal output tierFloor[A][T];
    signal output tierRate[A][T];
    signal output tierBase[A][T];
    signal output mark[M];
    signal output bracketFloor[M][K];
    signal output bracketRate[M][K];
    signal output bracketCum[M][K];

    signal computedHash <== HashVector(1 + A * PER_ASSET + M * PER_MARKET)(vector);
    hash === computedHash;

    for (var a = 0; a < A; a++) {
        var o = 1 + a * PER_ASSET;
        price[a] <== vector[o];
        RangeCheck(64)(price[a]);
        tierFloor[a][0] <== 0;
        tierBase[a][0] <== 0;
        for (var j = 0; j < T; j++) {
            tierRate[a][j] <== vector[o + T + j];
        }
        for (var j = 1; j < T; j++) {
            tierFloor[a][j] <== vector[o + j];
            tierBase[a][j] <== tierBase[a][j - 1] + tierRate[a][j - 1] * (tierFloor[a][j] - tierFloor[a][j - 1]);
        }
    }
    for (var m = 0; m < M; m++) {
        var o = 1 + A * PER_ASSET + m * PER_MARKET;
        mark[m] <== vector[o];
        RangeCheck(64)(mark[m]);
        bracketFloor[m][0] <== 0;
        bracketCum[m][0] <== 0;
        for (var k = 1; k < K; k++) {
            bracketFloor[m][k] <== vector[o + k];
            bracketCum[m][k] <== vector[o + 2 * K - 1 + k];
        }
        for (var k = 0; k < K; k++) {
            bracketRate[m][k] <== vector[o + K + k];
        }
    }
}
