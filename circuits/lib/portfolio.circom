pragma circom 2.2.0;

include "range.circom";
include "select.circom";

/*
 * SCENARIO_BITS(): width of the comparisons between scenario losses. Every loss is below 2^138 in
 * magnitude (ScenarioMargin), far below r / 2, so required - loss_s lies in [0, 2^bits) only if
 * required >= loss_s, at any width (as CLASS_BITS argues); 100 bits makes every portfolio whose losses lie
 * within 2^100 USD * 1e16 (about 1.3e14 USD) of the worst provable, and the prover refuses a larger one.
 */
function SCENARIO_BITS() { return 100; }

/*
 * ScenarioGroup(A, M, S): a portfolio is margined per underlying (docs/statement.md, "Portfolio margin").
 * Every instrument has a published scenario group; the prover names the account's group `chosen`. Each
 * derivative (markets, series) the account holds must be in that group, and only its spot holdings in that
 * group are shocked (`shocked`); other spot counts as collateral at its haircut. So a scenario never moves
 * two underlyings, and a long in one never offsets a short in another. Quantities are range-checked by the
 * caller.
 */
template ScenarioGroup(A, M, S) {
    var I = A - 1 + M + S;
    signal input quantity[I];
    signal input group[I];
    signal input chosen;
    signal output shocked[I];

    signal member[I];
    for (var i = 0; i < I; i++) {
        member[i] <== IsZero()(group[i] - chosen);
        if (i < A - 1) {
            shocked[i] <== quantity[i] * member[i];
        } else {
            quantity[i] * (1 - member[i]) === 0;
            shocked[i] <== quantity[i];
        }
    }
}

/*
 * ScenarioMargin(I, C): the scenario-grid requirement of a portfolio (docs/statement.md, "Portfolio margin").
 *
 * Inputs
 *   quantity[I]   signed quantity of each portfolio instrument, long - short as a field element, |q| < 2^64
 *                 quanta (range-checked by the caller)
 *   risk[I][C]    risk arrays, USD * 1e8 per unit held long, |R| < 2^68 (RiskParameters)
 *   worst[C + 1]  prover-chosen one-hot: the scenario with the largest loss, or C for "no loss"
 * Output
 *   required      max(0, max_s loss_s) with loss_s = -sum_i q_i R[i][s], USD * 1e16
 * Every loss is below I * 2^132 < 2^138 in magnitude. required is the selected loss (or 0) and no loss,
 * nor 0, exceeds it: required - loss_s and required lie in [0, 2^SCENARIO_BITS), so required is the maximum.
 */
template ScenarioMargin(I, C) {
    signal input quantity[I];
    signal input risk[I][C];
    signal input worst[C + 1];
    signal output required;

    signal term[I][C];
    signal loss[C + 1];
    for (var s = 0; s < C; s++) {
        var sum = 0;
        for (var i = 0; i < I; i++) {
            term[i][s] <== quantity[i] * risk[i][s];
            sum -= term[i][s];
        }
        loss[s] <== sum;
    }
    loss[C] <== 0;
    OneHot(C + 1)(worst);
    required <== Select(C + 1)(worst, loss);
    for (var s = 0; s <= C; s++) {
        RangeCheck(SCENARIO_BITS())(required - loss[s]);
    }
}
