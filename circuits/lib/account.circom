pragma circom 2.2.0;

include "range.circom";
include "tiers.circom";
include "hash.circom";

/*
 * AccountValue(A, M, S, T): the haircut equity of one margin account and the parts of its holdings
 * (docs/statement.md, "Account rules"), the same under both margin regimes.
 *
 * Inputs
 *   balanceSign[A], balanceMagnitude[A]   net balance per asset, |v| < 2^64 quanta (1 unit = 1e8 quanta);
 *                                         negative = debt to the venue. For the settlement asset this is
 *                                         the dYdX quote balance, which already holds -size * entry price.
 *   positionSign[M], positionMagnitude[M] signed perpetual size per market; THE CALLER range-checks each
 *                                         magnitude to [0, 2^64) (AccountHealth by its bracket placement)
 *   optionSign[S], optionMagnitude[S]     signed option position per series, |q| < 2^64 quanta
 *   price[A], mark[M], optionMark[S]      USD * 1e8 per unit, range-checked by the caller
 *   tier*                                 the epoch's collateral tiers (see tiers.circom); the settlement
 *                                         asset (asset 0) has one tier: its value is linear
 *   tierSel[A-1][T]                       prover-chosen one-hot selectors placing |balance| of assets 1..,
 *                                         tied to the magnitude inside; the placement is its range check
 * Outputs
 *   equity[A], debt[A]                    positive and negative parts of each balance (quanta)
 *   long[M], short[M]                     positive and negative parts of each position (quanta)
 *   optionLong[S], optionShort[S]         positive and negative parts of each option position (quanta)
 *   value                                 haircut equity: sum_a price_a * (C_a(equity_a) - 1e6 * debt_a)
 *                                         + 1e6 * sum_m mark_m * (long_m - short_m)
 *                                         + 1e6 * sum_s optionMark_s * (optionLong_s - optionShort_s), USD * 1e22
 * Every term is below 2^149 in magnitude, so |value| < 2^(149 + log2(A + M + S)) < 2^157 for every profile
 * with A + 2M + 2S <= 256, far below r / 2.
 */
template AccountValue(A, M, S, T) {
    assert(A >= 2);
    assert(A + 2 * M + 2 * S <= 256);
    signal input balanceSign[A];
    signal input balanceMagnitude[A];
    signal input positionSign[M];
    signal input positionMagnitude[M];
    signal input optionSign[S];
    signal input optionMagnitude[S];
    signal input price[A];
    signal input tierFloor[A][T];
    signal input tierRate[A][T];
    signal input tierBase[A][T];
    signal input mark[M];
    signal input optionMark[S];
    signal input tierSel[A - 1][T];
    signal output equity[A];
    signal output debt[A];
    signal output long[M];
    signal output short[M];
    signal output optionLong[S];
    signal output optionShort[S];
    signal output value;

    // 1. Collateral at its tiered haircut (the settlement asset at its one rate), debt at full value. A
    //    tiered asset's magnitude is placed in its tier (which range-checks it); only a positive balance
    //    counts as collateral.
    signal tiered[A];
    signal collateral[A];
    signal assetTerm[A];
    var total = 0;
    (equity[0], debt[0]) <== SignedAmount()(balanceSign[0], balanceMagnitude[0]);
    _ <== tierFloor[0];
    _ <== tierBase[0];
    for (var j = 1; j < T; j++) {
        _ <== tierRate[0][j];
    }
    tiered[0] <== 0;
    collateral[0] <== tierRate[0][0] * equity[0];
    for (var a = 1; a < A; a++) {
        (equity[a], debt[a]) <== SignedParts()(balanceSign[a], balanceMagnitude[a]);
        tiered[a] <== TieredCollateral(T)(balanceMagnitude[a], tierFloor[a], tierRate[a], tierBase[a],
                                          tierSel[a - 1]);
        collateral[a] <== (1 - balanceSign[a]) * tiered[a];
    }
    for (var a = 0; a < A; a++) {
        assetTerm[a] <== price[a] * (collateral[a] - 1000000 * debt[a]);
        total += assetTerm[a];
    }

    // 2. Perpetuals marked to the epoch's mark price (magnitudes range-checked by the caller).
    signal positionValue[M];
    for (var m = 0; m < M; m++) {
        (long[m], short[m]) <== SignedParts()(positionSign[m], positionMagnitude[m]);
        positionValue[m] <== mark[m] * (long[m] - short[m]);
        total += 1000000 * positionValue[m];
    }

    // 3. Options at their mark, long or short.
    signal optionValue[S];
    for (var s = 0; s < S; s++) {
        (optionLong[s], optionShort[s]) <== SignedAmount()(optionSign[s], optionMagnitude[s]);
        optionValue[s] <== optionMark[s] * (optionLong[s] - optionShort[s]);
        total += 1000000 * optionValue[s];
    }
    value <== total;
}

/*
 * AccountHealth(A, M, S, T, K): the margin figures of a standard account: AccountValue, with tiered
 * maintenance margin on each perpetual (whose bracket placement range-checks the position's magnitude) and
 * the series' unit maintenance margin on each short option.
 *
 * Further inputs
 *   optionMaintenance[S]                  MM of one short unit, USD * 1e14 (< 2^85, derived by the verifier)
 *   bracket*                              the epoch's margin brackets (see tiers.circom)
 *   bracketSel[M][K]                      prover-chosen one-hot selectors, tied to the sizes inside
 * Further outputs
 *   maintenance                           sum_m MM_m + sum_s optionShort_s * optionMaintenance_s, USD * 1e22
 *   free                                  value - maintenance
 * |maintenance| and so |free| stay below 2^157 (each term below 2^149).
 */
template AccountHealth(A, M, S, T, K) {
    signal input balanceSign[A];
    signal input balanceMagnitude[A];
    signal input positionSign[M];
    signal input positionMagnitude[M];
    signal input optionSign[S];
    signal input optionMagnitude[S];
    signal input price[A];
    signal input tierFloor[A][T];
    signal input tierRate[A][T];
    signal input tierBase[A][T];
    signal input mark[M];
    signal input bracketFloor[M][K];
    signal input bracketRate[M][K];
    signal input bracketCum[M][K];
    signal input optionMark[S];
    signal input optionMaintenance[S];
    signal input tierSel[A - 1][T];
    signal input bracketSel[M][K];
    signal output equity[A];
    signal output debt[A];
    signal output long[M];
    signal output short[M];
    signal output optionLong[S];
    signal output optionShort[S];
    signal output value;
    signal output maintenance;
    signal output free;

    (equity, debt, long, short, optionLong, optionShort, value) <== AccountValue(A, M, S, T)(
        balanceSign, balanceMagnitude, positionSign, positionMagnitude, optionSign, optionMagnitude, price,
        tierFloor, tierRate, tierBase, mark, optionMark, tierSel);

    signal positionMargin[M];
    signal optionMargin[S];
    var margin = 0;
    for (var m = 0; m < M; m++) {
        positionMargin[m] <== TieredMaintenance(K)(positionMagnitude[m], mark[m], bracketFloor[m],
                                                   bracketRate[m], bracketCum[m], bracketSel[m]);
        margin += positionMargin[m];
    }
    for (var s = 0; s < S; s++) {
        optionMargin[s] <== optionShort[s] * optionMaintenance[s];
        margin += optionMargin[s];
    }
    maintenance <== margin;
    free <== value - maintenance;
}

/*
 * InitialMargin(M, S, K): the account's initial margin, USD * 1e22: per market N * imr[k] - imCum[k] in the
 * bracket k that AccountHealth placed the position in (the same bracketSel), plus per series
 * optionShort_s times the initial margin of one short unit. Sizes are range-checked by AccountHealth, marks
 * by EpochParameters.
 */
template InitialMargin(M, S, K) {
    signal input long[M];
    signal input short[M];
    signal input mark[M];
    signal input rate[M][K];
    signal input cum[M][K];
    signal input bracketSel[M][K];
    signal input optionShort[S];
    signal input optionInitial[S];
    signal output initial;

    signal notional[M];
    signal r[M];
    signal c[M];
    signal positionMargin[M];
    signal optionMargin[S];
    var total = 0;
    for (var m = 0; m < M; m++) {
        notional[m] <== (long[m] + short[m]) * mark[m];
        r[m] <== Select(K)(bracketSel[m], rate[m]);
        c[m] <== Select(K)(bracketSel[m], cum[m]);
        positionMargin[m] <== notional[m] * r[m] - c[m];
        total += positionMargin[m];
    }
    for (var s = 0; s < S; s++) {
        optionMargin[s] <== optionShort[s] * optionInitial[s];
        total += optionMargin[s];
    }
    initial <== total;
}

/*
 * CLASS_BITS(): width of the sign tests on haircut equity, free collateral and available margin. Every
 * such value x is below 2^157 in magnitude (AccountHealth, with initial margin bounded as maintenance is),
 * so x lies in [0, 2^128) only if x >= 0 and -x - 1 only if x < 0: the tests are sound at any width. 128
 * bits makes every account with |x| < 2^128 USD * 1e22 (about 3.4e16 USD) provable; the prover refuses a
 * larger one before proving.
 */
function CLASS_BITS() { return 128; }

/*
 * MarginClass(bits): classifies a margin account by its haircut equity `value` and its free collateral
 * `free` = value - maintenance (docs/statement.md, "Classes"), both below 2^bits in magnitude for the
 * account to be provable and below 2^157 in any case (AccountHealth).
 *
 *   healthy       free >= 0
 *   liquidatable  0 <= value and free < 0
 *   bankrupt      value < 0
 * Outputs the class bits, the maintenance shortfall (-free when liquidatable, else 0) and the bad debt
 * (-value when bankrupt, else 0), in USD * 1e22. The prover chooses the bits healthy and solvent; each is
 * tied to the sign it claims by a range check of the value or of its complement, so no other choice has a
 * witness: for |x| < 2^157 < r / 2, x lies in [0, 2^bits) only if x >= 0 and -x - 1 only if x < 0.
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
 * AccountLeaf(A, M, S): the account's Merkle leaf (docs/statement.md, "Account leaf").
 *   word_i = magnitude_i + 2^64 * sign_i for the A balances, then the M positions, then the S option positions;
 *   packed_g = word_{3g} + 2^65 * word_{3g+1} + 2^130 * word_{3g+2};
 *   leaf = HashVector(key + 2^64 * LEAF_DOMAIN, salt, packed_0, ..., packed_{G-1}),  G = ceil((A + M + S) / 3).
 * The domain tag in the first element (keys are below 2^64) keeps leaves apart from tree nodes and
 * chain states, whose first elements are their own tags.
 * Signs and magnitudes are range-checked by AccountHealth, so the packing cannot overflow.
 */
template AccountLeaf(A, M, S) {
    signal input key;
    signal input salt;
    signal input balanceSign[A];
    signal input balanceMagnitude[A];
    signal input positionSign[M];
    signal input positionMagnitude[M];
    signal input optionSign[S];
    signal input optionMagnitude[S];
    signal output leaf;

    var W = A + M + S;
    var G = (W + 2) \ 3;
    var words[W];
    for (var a = 0; a < A; a++) {
        words[a] = balanceMagnitude[a] + (2 ** 64) * balanceSign[a];
    }
    for (var m = 0; m < M; m++) {
        words[A + m] = positionMagnitude[m] + (2 ** 64) * positionSign[m];
    }
    for (var o = 0; o < S; o++) {
        words[A + M + o] = optionMagnitude[o] + (2 ** 64) * optionSign[o];
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
