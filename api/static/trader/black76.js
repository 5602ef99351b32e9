// Black-76 prices and Greeks in deterministic integer arithmetic, bit for bit as verifier/fixedpoint.py and
// verifier/black76.py compute them (docs/risk-arrays.md): 2^128 fixed point in BigInt, floor rounding
// (`>>` and `floorDiv`), an exact integer square root, no Number anywhere in the arithmetic.
// Works in the browser (window.ZkBlack76) and in Node (module.exports).
(function (root) {
  "use strict";
  const FRAC_BITS = 128n;
  const ONE = 1n << FRAC_BITS;
  const HALF = ONE >> 1n;
  const LN2 = 235865763225513294137944142764154484399n; // floor(ln 2 * 2^128)
  const INV_SQRT_2PI = 135753023439836232162591007175785461951n; // floor(2^128 / sqrt(2 pi))
  const SERIES_STOP_BITS = 124n;
  const CDF_CUTOFF = 10n * ONE;
  const PPM = 1000000n;
  const PRICE_SCALE = 100000000n;
  const SECONDS_PER_YEAR = 365n * 86400n;
  const PRICE_BOUND = 1n << 72n;
  const DELTA_SCALE = 100000000n;
  const GAMMA_SCALE = 10n ** 16n;
  const VEGA_SCALE = PRICE_SCALE;

  const abs = (x) => (x < 0n ? -x : x);
  const bitLength = (x) => (x === 0n ? 0n : BigInt(x.toString(2).length));
  // Python's `//`: the quotient rounded toward minus infinity (BigInt `/` truncates toward zero).
  function floorDiv(a, b) {
    const q = a / b;
    return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
  }

  // math.isqrt: the exact floor square root of n >= 0, by Newton's iteration from above.
  function isqrt(n) {
    if (n < 0n) throw new RangeError("isqrt of a negative number");
    if (n < 2n) return n;
    let x = 1n << ((bitLength(n) + 1n) >> 1n); // >= sqrt(n)
    for (;;) {
      const y = (x + n / x) >> 1n;
      if (y >= x) return x;
      x = y;
    }
  }

  // (a', b') with a' / b' = a / (b * 2^k).
  const scaledPair = (a, b, k) => (k < 0n ? [a << -k, b] : [a, b << k]);

  // ln(a / b) in fixed point for integers a, b >= 1 (fixedpoint.ln_ratio).
  function lnRatio(a, b) {
    if (a < 1n || b < 1n) throw new RangeError(`ln_ratio needs integers >= 1, got ${a} / ${b}`);
    let k = bitLength(a) - bitLength(b);
    let [num, den] = scaledPair(a, b, k);
    if (num * num >= 2n * den * den) k += 1n;
    else if (2n * num * num < den * den) k -= 1n;
    [num, den] = scaledPair(a, b, k);
    const z = (abs(num - den) << FRAC_BITS) / (num + den);
    const z2 = (z * z) >> FRAC_BITS;
    let power = z, total = z, n = 1n;
    while (power) {
      power = (power * z2) >> FRAC_BITS;
      n += 2n;
      total += power / n;
    }
    const atanh2 = 2n * total;
    return k * LN2 + (num >= den ? atanh2 : -atanh2);
  }

  // [k, m] with e^y = 2^k * m / 2^128 (fixedpoint.exp_parts).
  function expParts(y) {
    const k = floorDiv(y + (LN2 >> 1n), LN2);
    const r = y - k * LN2;
    const ar = abs(r);
    let term = ONE, total = ONE, n = 0n;
    while (term) {
      n += 1n;
      term = ((term * ar) >> FRAC_BITS) / n;
      total += r < 0n && n % 2n === 1n ? -term : term;
    }
    return [k, total];
  }

  // sqrt(a / b) in fixed point, exactly floor(sqrt(a / b) * 2^128) (fixedpoint.sqrt_ratio).
  function sqrtRatio(a, b) {
    if (a < 0n || b < 1n) throw new RangeError(`sqrt_ratio needs a >= 0 and b >= 1, got ${a} / ${b}`);
    return isqrt((a << (2n * FRAC_BITS)) / b);
  }

  // e^y in fixed point: 2^k * m / 2^128 from expParts, floored (fixedpoint.exp_fixed).
  function expFixed(y) {
    const [k, m] = expParts(y);
    return k >= 0n ? m << k : m >> -k;
  }

  const halfSquareExp = (ax) => expParts(-((ax * ax) >> (FRAC_BITS + 1n)));

  // The standard normal density in fixed point, floored (fixedpoint.normal_pdf).
  function normalPdf(x) {
    const [k, m] = halfSquareExp(abs(x));
    return (m * INV_SQRT_2PI) >> (FRAC_BITS - k);
  }

  // The standard normal cdf in fixed point, Marsaglia's series (fixedpoint.normal_cdf).
  function normalCdf(x) {
    const ax = abs(x);
    if (ax >= CDF_CUTOFF) return x > 0n ? ONE : 0n;
    const x2 = (ax * ax) >> FRAC_BITS;
    let term = ax, total = ax, n = 1n;
    while (term && (term << SERIES_STOP_BITS) >= total) {
      n += 2n;
      term = ((term * x2) >> FRAC_BITS) / n;
      total += term;
    }
    const [k, m] = halfSquareExp(ax);
    const tail = (m * total * INV_SQRT_2PI) >> (2n * FRAC_BITS - k);
    return x >= 0n ? HALF + tail : HALF - tail;
  }

  const volRoot = (sigma, seconds) => sqrtRatio(sigma * sigma * seconds, PPM * PPM * SECONDS_PER_YEAR);
  const roundDiv = (numerator, denominator) => floorDiv(2n * numerator + denominator, 2n * denominator);

  function check(underlying, strike, sigma, seconds) {
    for (const [name, v] of [["underlying", underlying], ["strike", strike], ["sigma_ppm", sigma], ["seconds", seconds]]) {
      if (typeof v !== "bigint") throw new TypeError(`${name} must be a BigInt`);
    }
    if (underlying < 0n || underlying >= PRICE_BOUND) throw new RangeError(`underlying ${underlying} is outside [0, 2^72) (USD * 1e8)`);
    if (strike < 1n || strike >= PRICE_BOUND) throw new RangeError(`strike ${strike} is outside [1, 2^72) (USD * 1e8)`);
    if (sigma < 0n || sigma >= 1n << 64n) throw new RangeError(`sigma_ppm ${sigma} is outside [0, 2^64) (ppm)`);
    if (seconds < 0n) throw new RangeError(`seconds ${seconds} is negative`);
  }

  // d1 = floor(ln(U/K) * 2^128 / v) + floor(v / 2) and d2 = d1 - v, with v = volRoot (black76._d1_d2).
  function d1d2(underlying, strike, sigma, seconds) {
    const v = volRoot(sigma, seconds);
    const d1 = floorDiv(lnRatio(underlying, strike) << FRAC_BITS, v) + (v >> 1n);
    return [d1, d1 - v];
  }

  // The call value in USD * 1e8 per unit, rounded half up and clamped to [max(U - K, 0), U] (black76.call_price).
  function callPrice(underlying, strike, sigma, seconds) {
    check(underlying, strike, sigma, seconds);
    const intrinsic = underlying > strike ? underlying - strike : 0n;
    if (underlying === 0n || sigma === 0n || seconds === 0n) return intrinsic;
    const [d1, d2] = d1d2(underlying, strike, sigma, seconds);
    const scaled = underlying * normalCdf(d1) - strike * normalCdf(d2);
    const rounded = (scaled + HALF) >> FRAC_BITS;
    const low = rounded > intrinsic ? rounded : intrinsic;
    return low < underlying ? low : underlying;
  }

  // The put value by put-call parity, exactly C - U + K (black76.put_price); optionPrice picks one.
  const putPrice = (underlying, strike, sigma, seconds) => callPrice(underlying, strike, sigma, seconds) - underlying + strike;
  const optionPrice = (underlying, strike, sigma, seconds, isCall) =>
    (isCall ? callPrice : putPrice)(underlying, strike, sigma, seconds);

  // Delta (DELTA_SCALE), gamma (GAMMA_SCALE, per USD) and vega (USD * 1e8 per vol point) of one unit held
  // long, each rounded to the nearest unit of its scale, halves up (black76.greeks).
  function greeks(underlying, strike, sigma, seconds, isCall) {
    check(underlying, strike, sigma, seconds);
    const putShift = isCall ? 0n : DELTA_SCALE;
    if (underlying === 0n || sigma === 0n || seconds === 0n) {
      const limit = underlying > strike ? DELTA_SCALE : underlying === strike ? DELTA_SCALE / 2n : 0n;
      return { delta: limit - putShift, gamma: 0n, vega: 0n };
    }
    const v = volRoot(sigma, seconds);
    const [d1] = d1d2(underlying, strike, sigma, seconds);
    const density = normalPdf(d1);
    const delta = roundDiv(normalCdf(d1) * DELTA_SCALE, ONE);
    const gamma = roundDiv(density * PRICE_SCALE * GAMMA_SCALE, underlying * v);
    const vega = roundDiv(underlying * density * sqrtRatio(seconds, SECONDS_PER_YEAR), 100n * ONE * ONE);
    return { delta: delta - putShift, gamma, vega };
  }

  const api = {
    FRAC_BITS, DELTA_SCALE, GAMMA_SCALE, VEGA_SCALE, floorDiv, greeks, callPrice, putPrice, optionPrice,
    lnRatio, expParts, expFixed, sqrtRatio, normalPdf, normalCdf,
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.ZkBlack76 = api;
})(typeof window !== "undefined" ? window : globalThis);
