pragma circom 2.2.0;

include "range.circom";
include "hash.circom";

/* ParamsLength(A, M, S, T, K): length of the parameter vector. */
function ParamsLength(A, M, S, T, K) {
    return 3 + A * 2 * T + M * (3 * K - 1) + 2 * S;
}

/* RiskLength(A, M, S, C): length of the risk vector: 4 head elements, a group and C entries per instrument. */
function RiskLength(A, M, S, C) {
    return 4 + (A - 1 + M + S) * (1 + C);
}

/* InitialLength(M, S, K): length of the initial-margin vector. */
function InitialLength(M, S, K) {
    return 1 + M * (2 * K - 1) + S;
}

/*
 * EpochParameters(A, M, S, T, K): unpacks the epoch's parameter vector and binds it to its hash.
 *
 * The vector (docs/statement.md, "Parameter vector") starts with the labels hash (the symbols of the
 * assets, markets and option series, the declared insurance fund, the snapshot time, the option margin
 * rates and each series' terms, hashed by every verifier), the hash of the initial-margin vector
 * (InitialParameters) and the hash of the risk vector (RiskParameters), then lists, per asset a:
 *   price, floor[1..T-1], rate[0..T-1]
 * then per market m:
 *   mark, sizeFloor[1..K-1], mmr[0..K-1], cum[1..K-1]
 * then per option series s:
 *   mark, unit maintenance margin of one short unit (USD * 1e14, derived by every verifier from the
 *   series' terms and the underlying's price; below 2^85).
 * floor[0], sizeFloor[0] and cum[0] are the constant 0. The tier bases are derived here:
 *   base[0] = 0,  base[j] = base[j-1] + rate[j-1] * (floor[j] - floor[j-1]).
 * The hash of the vector is a public input of every circuit, so no proof can use other prices or
 * tables than the published ones; prices and marks are also range-checked to 64 bits here.
 */
template EpochParameters(A, M, S, T, K) {
    var PER_ASSET = 2 * T;
    var PER_MARKET = 3 * K - 1;
    var N = ParamsLength(A, M, S, T, K);
    signal input vector[N];
    signal input hash;
    signal output initialHash;
    signal output riskHash;
    signal output price[A];
    signal output tierFloor[A][T];
    signal output tierRate[A][T];
    signal output tierBase[A][T];
    signal output mark[M];
    signal output bracketFloor[M][K];
    signal output bracketRate[M][K];
    signal output bracketCum[M][K];
    signal output optionMark[S];
    signal output optionMaintenance[S];

    signal computedHash <== HashVector(N)(vector);
    hash === computedHash;
    initialHash <== vector[1];
    riskHash <== vector[2];

    for (var a = 0; a < A; a++) {
        var o = 3 + a * PER_ASSET;
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
        var o = 3 + A * PER_ASSET + m * PER_MARKET;
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
    for (var s = 0; s < S; s++) {
        var o = 3 + A * PER_ASSET + M * PER_MARKET + 2 * s;
        optionMark[s] <== vector[o];
        RangeCheck(64)(optionMark[s]);
        optionMaintenance[s] <== vector[o + 1];
    }
}

/*
 * InitialParameters(M, S, K): the initial-margin vector, which only the margin circuit needs, bound to the
 * hash the parameter vector carries as its second element:
 *   INITIAL_DOMAIN, then per market m: imr[0..K-1], imCum[1..K-1]; then per series s: the initial margin
 *   of one short unit (USD * 1e14, below 2^85).
 * Initial margin of a position: N * imr[k] - imCum[k] in the bracket k of its maintenance margin.
 */
template InitialParameters(M, S, K) {
    var N = InitialLength(M, S, K);
    signal input vector[N];
    signal input hash;
    signal output rate[M][K];
    signal output cum[M][K];
    signal output optionInitial[S];

    vector[0] === INITIAL_DOMAIN();
    signal computedHash <== HashVector(N)(vector);
    hash === computedHash;
    for (var m = 0; m < M; m++) {
        var o = 1 + m * (2 * K - 1);
        cum[m][0] <== 0;
        for (var k = 0; k < K; k++) {
            rate[m][k] <== vector[o + k];
        }
        for (var k = 1; k < K; k++) {
            cum[m][k] <== vector[o + K + k - 1];
        }
    }
    for (var s = 0; s < S; s++) {
        optionInitial[s] <== vector[1 + M * (2 * K - 1) + s];
    }
}

/*
 * RiskParameters(A, M, S, C): the risk vector, which only the portfolio batch circuit needs, bound to the
 * hash the parameter vector carries as its third element:
 *   RISK_DOMAIN, the shock rules' hash, the eligibility minimum (USD * 1e8), the MM ratio (ppm), the
 *   scenario group of each portfolio instrument (tiered assets 1..A-1, markets, option series), then per
 *   instrument its risk array over the C scenarios: the change of value of one unit held long, USD * 1e8,
 *   negative entries as field elements.
 * Every verifier recomputes the arrays from the published prices, marks, series terms and shock rules
 * (docs/risk-arrays.md), so each entry is below 2^68 in magnitude and the minimum and ratio below 2^64.
 */
template RiskParameters(A, M, S, C) {
    var I = A - 1 + M + S;
    var N = RiskLength(A, M, S, C);
    signal input vector[N];
    signal input hash;
    signal output minEquity;
    signal output mmRatio;
    signal output group[I];
    signal output risk[I][C];

    vector[0] === RISK_DOMAIN();
    signal computedHash <== HashVector(N)(vector);
    hash === computedHash;
    _ <== vector[1];
    minEquity <== vector[2];
    mmRatio <== vector[3];
    for (var i = 0; i < I; i++) {
        group[i] <== vector[4 + i];
        for (var s = 0; s < C; s++) {
            risk[i][s] <== vector[4 + I + i * C + s];
        }
    }
}
