pragma circom 2.2.0;

include "range.circom";
include "select.circom";

/*
 * TierPlacement(T): places x in its tier of a table with T tiers.
 *
 * Inputs
 *   x          any field element: the placement itself range-checks it (below)
 *   floor[T]   tier floors; floor[0] = 0, non-decreasing, each <= 2^64 (published parameters,
 *              bound to the parameter hash and validated by every verifier); floor[T] := 2^64
 *   sel[T]     prover-chosen one-hot tier selector
 * Output
 *   delta      x - floor[j] for the selected tier j
 * Functionality
 *   1. sel is one-hot.
 *   2. floor[j] <= x: delta = x - floor[j] lies in [0, 2^64).
 *   3. x < floor[j+1]: floor[j+1] - 1 - x lies in [0, 2^64).
 *   Together these make j the one tier that contains x: a prover cannot pick another. They also range-check
 *   x: floor[j] + delta lies in [0, 2^65) as an integer, and floor[j+1] - 1 - x in [0, 2^64) then puts it
 *   below floor[j+1] <= 2^64, so x in [0, 2^64) (a wrapped x would leave floor[j+1] - 1 - x near r). Callers
 *   use this as the range check of a balance or a position size (SignedParts).
 */
template TierPlacement(T) {
    signal input x;
    signal input floor[T];
    signal input sel[T];
    signal output delta;

    OneHot(T)(sel);
    signal upperFloor[T];
    for (var j = 0; j < T - 1; j++) {
        upperFloor[j] <== floor[j + 1];
    }
    upperFloor[T - 1] <== 2 ** 64;

    signal lower <== Select(T)(sel, floor);
    signal upper <== Select(T)(sel, upperFloor);
    delta <== x - lower;
    RangeCheck(64)(delta);
    RangeCheck(64)(upper - 1 - x);
}

/*
 * TieredCollateral(T): progressive (tax-bracket) collateral value of an amount, Binance style.
 *
 *   value = base[j] + rate[j] * (x - floor[j])   for the tier j holding x,
 *   base[j] = sum_{i<j} rate[i] * (floor[i+1] - floor[i]),   base[0] = 0.
 * Units: x in quanta, rate in ppm, value in quanta * ppm.
 */
template TieredCollateral(T) {
    signal input x;
    signal input floor[T];
    signal input rate[T];
    signal input base[T];
    signal input sel[T];
    signal output value;

    signal delta <== TierPlacement(T)(x, floor, sel);
    signal r <== Select(T)(sel, rate);
    signal b <== Select(T)(sel, base);
    value <== b + r * delta;
}

/*
 * TieredMaintenance(K): maintenance margin of a perpetual position, Binance style.
 *
 *   MM = N * mmr[k] - cum[k],  N = size * mark,  for the bracket k holding N.
 * Brackets are published as notional floors; the parameter builder turns them into size floors
 * sizeFloor[k] = ceil(notionalFloor[k] / mark), which is exact: size * mark >= F <=> size >= ceil(F / mark).
 * Units: size in quanta, mark in USD * 1e8 per unit, N in USD * 1e16, mmr in ppm, MM and cum in USD * 1e22.
 */
template TieredMaintenance(K) {
    signal input size;
    signal input mark;
    signal input sizeFloor[K];
    signal input rate[K];
    signal input cum[K];
    signal input sel[K];
    signal output margin;

    _ <== TierPlacement(K)(size, sizeFloor, sel);
    signal notional <== size * mark;
    signal r <== Select(K)(sel, rate);
    signal c <== Select(K)(sel, cum);
    margin <== notional * r - c;
}
