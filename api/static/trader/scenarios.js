// The portfolio-margin scenario grid in BigInt JavaScript, bit for bit as verifier/scenarios.py computes it
// (docs/risk-arrays.md): Deribit's shock rules and their integers for the parameter hash, the grid's stable
// order, shocked prices and volatilities, the risk arrays of spot, perpetuals and options (Black-76 from
// black76.js) and a portfolio's scenario losses and margins. Works in the browser (window.ZkScenarios) and in
// Node (module.exports).
(function (root) {
  "use strict";
  const B = typeof module !== "undefined" && module.exports ? require("./black76.js") : root.ZkBlack76;
  const PPM = 1000000n;
  const SECONDS_PER_DAY = 86400n;
  const VOL_STATES = ["up", "unchanged", "down"];

  // ShockRules' defaults (scenarios.DERIBIT): Deribit's grid with Paradex's extended fractions, all ppm.
  const DERIBIT = Object.freeze({
    priceMoves: [-160000n, -120000n, -80000n, -40000n, 0n, 40000n, 80000n, 120000n, 160000n],
    extendedMoves: [-660000n, -330000n, 500000n, 1000000n, 2000000n, 3000000n, 4000000n, 5000000n],
    extendedFractions: [242424n, 484848n, 320000n, 160000n, 80000n, 53333n, 40000n, 32000n],
    volUp: 500000n,
    volDown: 250000n,
    volUpFloor: 500000n,
    volDownFloor: 0n,
    shortPower: 300000n,
    longPower: 130000n,
    referenceDays: 30n,
    mmRatio: 800000n,
  });

  // The rules as integers for the parameter hash, moves as multipliers (ShockRules.to_ints).
  function toInts(rules) {
    return [
      BigInt(rules.priceMoves.length), ...rules.priceMoves.map((m) => PPM + m),
      BigInt(rules.extendedMoves.length), ...rules.extendedMoves.map((m) => PPM + m),
      ...rules.extendedFractions,
      rules.volUp, rules.volDown, rules.volUpFloor, rules.volDownFloor, rules.shortPower, rules.longPower,
      rules.referenceDays, rules.mmRatio,
    ];
  }

  // The grid in its stable order: each standard move with vol up, unchanged, down, then each extended move
  // with vol up (ShockRules.scenarios): {move, vol, fraction} in ppm, `extended` for the second part.
  function scenarios(rules) {
    const standard = rules.priceMoves.flatMap((move) => VOL_STATES.map((vol) => ({ move, vol, fraction: PPM, extended: false })));
    const extended = rules.extendedMoves.map((move, i) => ({ move, vol: "up", fraction: rules.extendedFractions[i], extended: true }));
    return [...standard, ...extended];
  }

  // price * (1 + move), floored (scenarios.shocked_price).
  const shockedPrice = (price, move) => (price * (PPM + move)) / PPM;

  // [vol up, unchanged, down] in ppm for a series `seconds` from expiry (scenarios.shocked_vols).
  function shockedVols(iv, seconds, rules) {
    if (seconds === 0n) return [iv, iv, iv];
    const reference = rules.referenceDays * SECONDS_PER_DAY;
    const power = seconds < reference ? rules.shortPower : rules.longPower;
    const x = B.expFixed(B.floorDiv(power * B.lnRatio(reference, seconds), PPM));
    const scale = PPM << B.FRAC_BITS;
    const up = -B.floorDiv(-iv * (scale + rules.volUp * x), scale);
    const down = B.floorDiv(iv * (scale - rules.volDown * x), scale);
    return [up > rules.volUpFloor ? up : rules.volUpFloor, iv, down > rules.volDownFloor ? down : rules.volDownFloor];
  }

  // The part of a change that counts: change * fraction / 1e6, rounded toward zero (scenarios._counted).
  function counted(change, scenario) {
    if (scenario.fraction === PPM) return change;
    const part = ((change < 0n ? -change : change) * scenario.fraction) / PPM;
    return change >= 0n ? part : -part;
  }

  function checkPrice(name, value) {
    if (typeof value !== "bigint" || value < 1n || value >= 1n << 64n) throw new RangeError(`${name} ${value} is outside [1, 2^64) (USD * 1e8)`);
  }

  // R of one unit of a spot asset at `price`, or one unit long of a perpetual at its mark: the shocked price
  // minus the price, per scenario (scenarios.spot_array, scenarios.perpetual_array).
  function priceArray(price, rules) {
    checkPrice("price", price);
    return scenarios(rules).map((s) => counted(shockedPrice(price, s.move) - price, s));
  }

  // R of one option held long: Black-76 at the shocked underlying and vol, minus the mark (scenarios.option_array);
  // `series` holds BigInt strike, seconds (to expiry), iv (ppm) and mark, and isCall.
  function optionArray(underlying, series, rules) {
    checkPrice("underlying", underlying);
    checkPrice("strike", series.strike);
    const vols = shockedVols(series.iv, series.seconds, rules);
    return scenarios(rules).map((s) => counted(
      B.optionPrice(shockedPrice(underlying, s.move), series.strike, vols[VOL_STATES.indexOf(s.vol)], series.seconds, series.isCall)
        - series.mark,
      s,
    ));
  }

  // Scenario losses (USD * 1e16) of signed positions (quanta) against their arrays, the first worst one and
  // the margins, USD * 1e22: IM = max(0, worst loss) * 1e6, MM = the same * mm ratio (scenarios.portfolio_loss).
  function portfolioLoss(positions, arrays, rules) {
    if (positions.length !== arrays.length) throw new RangeError(`${positions.length} positions but ${arrays.length} risk arrays`);
    const count = rules.priceMoves.length * VOL_STATES.length + rules.extendedMoves.length;
    const losses = Array.from({ length: count }, (_, s) => -positions.reduce((sum, q, i) => sum + q * arrays[i][s], 0n));
    let worst = 0;
    losses.forEach((loss, s) => { if (loss > losses[worst]) worst = s; });
    const required = losses[worst] > 0n ? losses[worst] : 0n;
    return { losses, worst, initial: required * PPM, maintenance: required * rules.mmRatio };
  }

  const api = { DERIBIT, VOL_STATES, toInts, scenarios, shockedPrice, shockedVols, priceArray, optionArray, portfolioLoss };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.ZkScenarios = api;
})(typeof window !== "undefined" ? window : globalThis);
