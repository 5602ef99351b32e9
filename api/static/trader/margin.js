// The margin model of docs/statement.md in BigInt JavaScript, as verifier/params.py, verifier/margin.py and
// verifier/positions.py compute it: the epoch's parameters padded to the profile with derived tables, their
// vector (whose hash is the paramsHash every batch proof binds: the labels hash first, the initial-margin
// vector's hash second, the risk vector's hash third, the option block last), one account's margin figures
// and class (a portfolio account's by the scenario grid of scenarios.js), and what each of its positions
// contributes (value, margins, Black-76 Greeks from black76.js).
(function (root) {
  "use strict";
  const node = typeof module !== "undefined" && module.exports;
  const B = node ? require("./black76.js") : root.ZkBlack76;
  const S = node ? require("./scenarios.js") : root.ZkScenarios;
  const R = (node ? require("./poseidon.js") : root.ZkPoseidon).R;
  const FLOOR_SENTINEL = 1n << 64n;
  const PPM = 1000000n;
  const PRICE_SCALE = 100000000n;
  const CENTS = 10n ** 20n; // USD * 1e22 to cents
  const DEFAULT_OPTION_MARGIN = { im_max: 150000, im_min: 100000, mm: 75000 }; // params.OptionMargin
  const encoder = new TextEncoder();
  // A string's UTF-8 bytes as a big-endian integer: symbols and hash domains ("zksolvency/params").
  const bytesInt = (text) => [...encoder.encode(text)].reduce((n, b) => (n << 8n) | BigInt(b), 0n);
  const PARAMS_DOMAIN = bytesInt("zksolvency/params");
  const INITIAL_DOMAIN = bytesInt("zksolvency/initial");
  const RISK_DOMAIN = bytesInt("zksolvency/risk");
  const DEFAULT_MIN_EQUITY = 10000n * PRICE_SCALE; // params.PortfolioRules: OKX's 10,000 USD
  const max = (...xs) => xs.reduce((a, b) => (b > a ? b : a));
  const min = (a, b) => (a < b ? a : b);
  const slots = (list, n, pick, pad) => Array.from({ length: n }, (_, i) => (i < list.length ? pick(list[i]) : pad));

  // What the published parameters (params_to_json) leave out takes its default (params.EpochParams).
  const optionsOf = (params) => params.options || [];
  const optionMarginOf = (params) => {
    const m = params.option_margin || DEFAULT_OPTION_MARGIN;
    return { imMax: BigInt(m.im_max), imMin: BigInt(m.im_min), mm: BigInt(m.mm) };
  };
  // Bracket.initial_rate: the bracket's IM rate, or twice its MM rate capped at 100%.
  const initialRate = (b) => (b.initial === undefined || b.initial === null ? min(2n * BigInt(b.rate), PPM) : BigInt(b.initial));

  function underlyingSlot(params, series) {
    const slot = params.assets.findIndex((a) => a.symbol === series.underlying);
    if (slot < 0) throw new Error(`option series ${series.symbol}: its underlying ${series.underlying} is not an asset of the epoch`);
    return slot;
  }

  // HashVector(PARAMS_DOMAIN, asset, market and series symbols, insurance, time, option margin rates, then
  // per series underlying slot, strike, expiry, put bit, iv), padded to the profile (EpochParams.labels_hash).
  function labelsHash(params, profile, hashVector) {
    const options = optionsOf(params);
    const rates = optionMarginOf(params);
    const terms = slots(options, profile.options, (o) => [
      BigInt(underlyingSlot(params, o)), BigInt(o.strike), BigInt(o.expiry), o.type === "put" ? 1n : 0n, BigInt(o.iv),
    ], [0n, 0n, 0n, 0n, 0n]).flat();
    return hashVector([
      PARAMS_DOMAIN,
      ...slots(params.assets, profile.assets, (a) => bytesInt(a.symbol), 0n),
      ...slots(params.markets, profile.markets, (m) => bytesInt(m.symbol), 0n),
      ...slots(options, profile.options, (o) => bytesInt(o.symbol), 0n),
      ...slots(params.assets, profile.assets, (a) => BigInt(a.insurance || 0), 0n),
      BigInt(params.time || 0), rates.imMax, rates.imMin, rates.mm,
      ...terms,
    ]);
  }

  // [IM, MM] of one short unit of a series at underlying price u, USD * 1e14 (params.option_unit_margin).
  function optionUnitMargin(series, u, rates) {
    const mark = BigInt(series.mark) * PPM;
    const strike = BigInt(series.strike);
    let otm, maintenance;
    if (series.type === "call") {
      otm = max(strike - u, 0n);
      maintenance = rates.mm * u + mark;
    } else {
      otm = max(u - strike, 0n);
      maintenance = max(rates.mm * u, rates.mm * BigInt(series.mark)) + mark;
    }
    const initial = max(rates.imMax * u - otm * PPM, rates.imMin * u) + mark;
    return [max(initial, maintenance), maintenance];
  }

  // Every portfolio instrument's risk array from the published prices, marks, series and shock rules:
  // tiered assets 1..A-1 (spot), markets, series, each padded with zero arrays (EpochParams.risk_arrays).
  function riskArrays(params, profile, rules) {
    const zero = S.scenarios(rules).map(() => 0n);
    const options = optionsOf(params);
    const time = BigInt(params.time || 0);
    return [
      ...slots(params.assets.slice(1), profile.assets - 1, (a) => S.priceArray(BigInt(a.price), rules), zero),
      ...slots(params.markets, profile.markets, (m) => S.priceArray(BigInt(m.mark), rules), zero),
      ...slots(options, profile.options, (o) => S.optionArray(BigInt(params.assets[underlyingSlot(params, o)].price), {
        strike: BigInt(o.strike), seconds: BigInt(o.expiry) - time, iv: BigInt(o.iv), mark: BigInt(o.mark), isCall: o.type === "call",
      }, rules), zero),
    ];
  }

  // The circuit's view of the parameters (EpochParams.circuit, without its validation: the server audited the
  // epoch, and the page checks the vector's hash against the published params_hash).
  // `hashVector` is ZkPoseidon.hashVector (with its constants loaded).
  function circuitParams(params, profile, hashVector) {
    const price = [], floors = [], rates = [], bases = [];
    for (let a = 0; a < profile.assets; a++) {
      const asset = params.assets[a];
      const tiers = asset ? asset.tiers.map((t) => ({ floor: BigInt(t.floor), rate: BigInt(t.rate) })) : [{ floor: 0n, rate: 0n }];
      price.push(asset ? BigInt(asset.price) : 0n);
      const f = tiers.map((t) => t.floor);
      const r = tiers.map((t) => t.rate);
      while (f.length < profile.tiers) f.push(FLOOR_SENTINEL);
      while (r.length < profile.tiers) r.push(tiers[tiers.length - 1].rate);
      const b = [0n];
      for (let j = 1; j < profile.tiers; j++) b.push(b[j - 1] + r[j - 1] * (f[j] - f[j - 1]));
      floors.push(f); rates.push(r); bases.push(b);
    }
    const mark = [], sizeFloors = [], mmrs = [], cums = [], imrs = [], imCums = [];
    for (let m = 0; m < profile.markets; m++) {
      const market = params.markets[m];
      const brackets = market
        ? market.brackets.map((b) => ({ floor: BigInt(b.floor), rate: BigInt(b.rate), initial: initialRate(b) }))
        : [{ floor: 0n, rate: 0n, initial: 0n }];
      const mk = market ? BigInt(market.mark) : 0n;
      mark.push(mk);
      const sf = [0n], mmr = [brackets[0].rate], cum = [0n], imr = [brackets[0].initial], imCum = [0n];
      for (let k = 1; k < profile.brackets; k++) {
        if (k < brackets.length) {
          const notional = brackets[k].floor * PRICE_SCALE;
          const ceil = (notional + mk - 1n) / mk;
          sf.push(ceil < FLOOR_SENTINEL ? ceil : FLOOR_SENTINEL);
          mmr.push(brackets[k].rate);
          cum.push(cum[k - 1] + notional * (mmr[k] - mmr[k - 1]));
          imr.push(brackets[k].initial);
          imCum.push(imCum[k - 1] + notional * (imr[k] - imr[k - 1]));
        } else {
          sf.push(FLOOR_SENTINEL); mmr.push(mmr[k - 1]); cum.push(cum[k - 1]); imr.push(imr[k - 1]); imCum.push(imCum[k - 1]);
        }
      }
      sizeFloors.push(sf); mmrs.push(mmr); cums.push(cum); imrs.push(imr); imCums.push(imCum);
    }
    const options = optionsOf(params);
    const optionRates = optionMarginOf(params);
    const units = options.map((o) => optionUnitMargin(o, BigInt(params.assets[underlyingSlot(params, o)].price), optionRates));
    const optionMark = slots(options, profile.options, (o) => BigInt(o.mark), 0n);
    const optionInitial = slots(units, profile.options, (u) => u[0], 0n);
    const optionMaintenance = slots(units, profile.options, (u) => u[1], 0n);
    // CircuitParams.initial_vector: what only the margin circuit needs, bound by its hash.
    const initialVector = [INITIAL_DOMAIN];
    for (let m = 0; m < profile.markets; m++) initialVector.push(...imrs[m], ...imCums[m].slice(1));
    initialVector.push(...optionInitial);
    // CircuitParams.risk_vector: what only the portfolio batch circuit needs, bound by its hash. The shock
    // rules are Deribit's (the published parameters carry no others); the minimum equity is USD * 1e8.
    const shocks = S.DERIBIT;
    const portfolio = params.portfolio || {};
    const minEquity = portfolio.min_equity === undefined ? DEFAULT_MIN_EQUITY : BigInt(portfolio.min_equity);
    const risk = riskArrays(params, profile, shocks);
    const riskVector = [
      RISK_DOMAIN, hashVector(S.toInts(shocks)), minEquity, shocks.mmRatio, ...risk.flat().map((r) => ((r % R) + R) % R),
    ];
    const vector = [labelsHash(params, profile, hashVector), hashVector(initialVector), hashVector(riskVector)];
    for (let a = 0; a < profile.assets; a++) vector.push(price[a], ...floors[a].slice(1), ...rates[a]);
    for (let m = 0; m < profile.markets; m++) vector.push(mark[m], ...sizeFloors[m].slice(1), ...mmrs[m], ...cums[m].slice(1));
    for (let s = 0; s < profile.options; s++) vector.push(optionMark[s], optionMaintenance[s]);
    return {
      profile, price, floors, rates, bases, mark, sizeFloors, mmrs, cums, imrs, imCums,
      optionMark, optionMaintenance, optionInitial, initialVector, risk, shocks, minEquity, riskVector, vector,
    };
  }

  function tierOf(x, floors) {
    const bounds = [...floors, FLOOR_SENTINEL];
    for (let j = 0; j < floors.length; j++) if (bounds[j] <= x && x < bounds[j + 1]) return j;
    throw new Error(`${x} lies outside the table [0, 2^64)`);
  }

  // A perpetual position of `size` quanta in market m: value at mark, bracketed MM and IM (margin.perpetual_terms).
  function perpetualTerms(m, size, p) {
    const k = tierOf(size < 0n ? -size : size, p.sizeFloors[m]);
    const notional = (size < 0n ? -size : size) * p.mark[m];
    return {
      value: p.mark[m] * size * PPM,
      maintenance: notional * p.mmrs[m][k] - p.cums[m][k],
      initial: notional * p.imrs[m][k] - p.imCums[m][k],
    };
  }

  // An option position of `size` quanta in series o: value at mark; a short needs the unit margins (margin.option_terms).
  function optionTerms(o, size, p) {
    const short = size < 0n ? -size : 0n;
    return { value: p.optionMark[o] * size * PPM, maintenance: short * p.optionMaintenance[o], initial: short * p.optionInitial[o] };
  }

  const padded = (list, n) => Array.from({ length: n }, (_, i) => (i < list.length ? list[i] : 0n));

  // The account's figures (margin.evaluate, AccountHealth), money in USD * 1e22; `account` holds BigInt
  // balances, positions and options (a missing list is none).
  function evaluate(account, p) {
    const bal = padded(account.balances, p.profile.assets);
    const pos = padded(account.positions, p.profile.markets);
    const opt = padded(account.options || [], p.profile.options);
    let collateral = 0n, debt = 0n, net = 0n;
    bal.forEach((v, a) => {
      const equity = v > 0n ? v : 0n;
      const owed = v < 0n ? -v : 0n;
      const j = tierOf(equity, p.floors[a]);
      collateral += p.price[a] * (p.bases[a][j] + p.rates[a][j] * (equity - p.floors[a][j]));
      debt += p.price[a] * owed * PPM;
      net += p.price[a] * v * PPM;
    });
    const terms = [...pos.map((s, m) => perpetualTerms(m, s, p)), ...opt.map((q, o) => optionTerms(o, q, p))];
    const sum = (key) => terms.reduce((total, t) => total + t[key], 0n);
    // A portfolio account is margined by its scenario losses over (balances[1:], positions, options).
    const scenario = account.portfolio ? S.portfolioLoss([...bal.slice(1), ...pos, ...opt], p.risk, p.shocks) : null;
    const position = sum("value");
    const maintenance = scenario ? scenario.maintenance : sum("maintenance");
    const initial = scenario ? scenario.initial : sum("initial");
    const equity = collateral - debt + position;
    const free = equity - maintenance;
    // healthy (equity >= MM), liquidatable (0 <= equity < MM) or bankrupt (equity < 0), as AccountHealth.
    const marginClass = free >= 0n ? "healthy" : equity >= 0n ? "liquidatable" : "bankrupt";
    return {
      equity, maintenance, initial, free, available: equity - initial, netValue: net + position, marginClass,
      healthy: free >= 0n,
      shortfall: marginClass === "liquidatable" ? -free : 0n,
      badDebt: marginClass === "bankrupt" ? -equity : 0n,
      scenario,
    };
  }

  // Every open perpetual and option position of the account, in the epoch's order (positions.position_figures):
  // size in quanta, mark USD * 1e8, value and margins USD * 1e22, Greeks of the whole position (delta in
  // quanta * 1e8, gamma in quanta per USD * 1e16, vega in USD * 1e8 per vol point * 1e8). In a portfolio
  // account a position has no margin of its own: initial and maintenance are null.
  function positionFigures(account, params, p) {
    const out = [];
    const own = (t) => (account.portfolio ? { initial: null, maintenance: null } : { initial: t.initial, maintenance: t.maintenance });
    account.positions.forEach((size, m) => {
      if (!size) return;
      const market = params.markets[m];
      const t = perpetualTerms(m, size, p);
      out.push({
        symbol: market.symbol, kind: "perpetual", underlying: null, size, mark: BigInt(market.mark),
        value: t.value, ...own(t), delta: size * B.DELTA_SCALE, gamma: 0n, vega: 0n,
      });
    });
    (account.options || []).forEach((size, s) => {
      if (!size) return;
      const series = params.options[s];
      const t = optionTerms(s, size, p);
      const price = BigInt(params.assets[underlyingSlot(params, series)].price);
      const left = BigInt(series.expiry) - BigInt(params.time || 0);
      const g = B.greeks(price, BigInt(series.strike), BigInt(series.iv), left, series.type === "call");
      out.push({
        symbol: series.symbol, kind: series.type, underlying: series.underlying, size, mark: BigInt(series.mark),
        value: t.value, ...own(t),
        delta: size * g.delta, gamma: size * g.gamma, vega: size * g.vega,
      });
    });
    return out;
  }

  // `value / 10^digits` as a plain decimal string, rounded toward zero, trailing zeros dropped
  // (verifier.amounts.format_scaled).
  function scaled(value, digits) {
    const v = BigInt(value);
    const unit = 10n ** BigInt(digits);
    const a = v < 0n ? -v : v;
    const frac = (a % unit).toString().padStart(digits, "0").replace(/0+$/, "");
    return `${v < 0n ? "-" : ""}${a / unit}${frac ? "." + frac : ""}`;
  }

  // One position's figures in the JSON vocabulary (PositionFigures.to_json): the API's and the CLI's strings.
  function figuresJson(f) {
    return {
      symbol: f.symbol,
      kind: f.kind,
      underlying: f.underlying,
      size: scaled(f.size, 8),
      mark_usd: scaled(f.mark, 8),
      value_usd: scaled(f.value, 22),
      initial_margin_usd: f.initial === null ? null : scaled(f.initial, 22),
      maintenance_margin_usd: f.maintenance === null ? null : scaled(f.maintenance, 22),
      delta: scaled(f.delta, 16),
      gamma: scaled(f.gamma, 24),
      vega_usd: scaled(f.vega, 16),
    };
  }

  // A USD * 1e22 amount as USD with cents, rounded toward zero, no grouping (verifier.vocabulary.usd).
  function usd(weighted) {
    const cents = weighted / CENTS;
    const a = cents < 0n ? -cents : cents;
    const whole = (a / 100n).toString();
    return `${cents < 0n ? "-" : ""}${whole}.${(a % 100n).toString().padStart(2, "0")}`;
  }

  const api = { circuitParams, evaluate, positionFigures, figuresJson, scaled, usd };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.ZkMargin = api;
})(typeof window !== "undefined" ? window : globalThis);
