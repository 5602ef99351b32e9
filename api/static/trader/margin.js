// The margin model of docs/statement.md in BigInt JavaScript, as verifier/params.py and verifier/margin.py
// compute it: the epoch's parameters padded to the profile with derived tables, their vector (whose
// hash is the paramsHash every batch proof binds, its first element the labels hash of the symbols and
// the insurance fund), and one account's margin figures and class.
(function (root) {
  "use strict";
  const FLOOR_SENTINEL = 1n << 64n;
  const PPM = 1000000n;
  const PRICE_SCALE = 100000000n;
  const CENTS = 10n ** 20n; // USD * 1e22 to cents
  const encoder = new TextEncoder();
  // A string's UTF-8 bytes as a big-endian integer: symbols and hash domains ("zksolvency/params").
  const bytesInt = (text) => [...encoder.encode(text)].reduce((n, b) => (n << 8n) | BigInt(b), 0n);
  const PARAMS_DOMAIN = bytesInt("zksolvency/params");

  // HashVector(PARAMS_DOMAIN, asset symbols, market symbols, insurance), padded to the profile's slots
  // (EpochParams.labels_hash).
  function labelsHash(params, profile, hashVector) {
    const slots = (list, n, pick, pad) => Array.from({ length: n }, (_, i) => (list[i] ? pick(list[i]) : pad));
    return hashVector([
      PARAMS_DOMAIN,
      ...slots(params.assets, profile.assets, (a) => bytesInt(a.symbol), 0n),
      ...slots(params.markets, profile.markets, (m) => bytesInt(m.symbol), 0n),
      ...slots(params.assets, profile.assets, (a) => BigInt(a.insurance || 0), 0n),
    ]);
  }

  // `hashVector` is ZkPoseidon.hashVector (with its constants loaded): the labels hash needs it.
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
    const mark = [], sizeFloors = [], mmrs = [], cums = [];
    for (let m = 0; m < profile.markets; m++) {
      const market = params.markets[m];
      const brackets = market ? market.brackets.map((b) => ({ floor: BigInt(b.floor), rate: BigInt(b.rate) })) : [{ floor: 0n, rate: 0n }];
      const mk = market ? BigInt(market.mark) : 0n;
      mark.push(mk);
      const sf = [0n], mmr = [brackets[0].rate], cum = [0n];
      for (let k = 1; k < profile.brackets; k++) {
        if (k < brackets.length) {
          const notional = brackets[k].floor * PRICE_SCALE;
          const ceil = (notional + mk - 1n) / mk;
          sf.push(ceil < FLOOR_SENTINEL ? ceil : FLOOR_SENTINEL);
          mmr.push(brackets[k].rate);
          cum.push(cum[k - 1] + notional * (mmr[k] - mmr[k - 1]));
        } else {
          sf.push(FLOOR_SENTINEL); mmr.push(mmr[k - 1]); cum.push(cum[k - 1]);
        }
      }
      sizeFloors.push(sf); mmrs.push(mmr); cums.push(cum);
    }
    const vector = [labelsHash(params, profile, hashVector)];
    for (let a = 0; a < profile.assets; a++) vector.push(price[a], ...floors[a].slice(1), ...rates[a]);
    for (let m = 0; m < profile.markets; m++) vector.push(mark[m], ...sizeFloors[m].slice(1), ...mmrs[m], ...cums[m].slice(1));
    return { profile, price, floors, rates, bases, mark, sizeFloors, mmrs, cums, vector };
  }

  function tierOf(x, floors) {
    const bounds = [...floors, FLOOR_SENTINEL];
    for (let j = 0; j < floors.length; j++) if (bounds[j] <= x && x < bounds[j + 1]) return j;
    throw new Error(`${x} lies outside the table [0, 2^64)`);
  }

  function evaluate(balances, positions, p) {
    const bal = [...balances], pos = [...positions];
    while (bal.length < p.profile.assets) bal.push(0n);
    while (pos.length < p.profile.markets) pos.push(0n);
    let collateral = 0n, debt = 0n, position = 0n, maintenance = 0n, net = 0n;
    bal.forEach((v, a) => {
      const equity = v > 0n ? v : 0n;
      const owed = v < 0n ? -v : 0n;
      const j = tierOf(equity, p.floors[a]);
      collateral += p.price[a] * (p.bases[a][j] + p.rates[a][j] * (equity - p.floors[a][j]));
      debt += p.price[a] * owed * PPM;
      net += p.price[a] * v * PPM;
    });
    pos.forEach((s, m) => {
      const size = s < 0n ? -s : s;
      const k = tierOf(size, p.sizeFloors[m]);
      maintenance += size * p.mark[m] * p.mmrs[m][k] - p.cums[m][k];
      position += p.mark[m] * s * PPM;
    });
    const equity = collateral - debt + position;
    const free = equity - maintenance;
    const netValue = net + position;
    // healthy (equity >= MM), liquidatable (0 <= equity < MM) or bankrupt (equity < 0), as AccountHealth.
    const marginClass = free >= 0n ? "healthy" : equity >= 0n ? "liquidatable" : "bankrupt";
    return {
      equity, maintenance, free, netValue, marginClass,
      healthy: free >= 0n,
      shortfall: marginClass === "liquidatable" ? -free : 0n,
      badDebt: marginClass === "bankrupt" ? -equity : 0n,
    };
  }

  // A USD * 1e22 amount as USD with cents, rounded toward zero, no grouping (verifier.vocabulary.usd).
  function usd(weighted) {
    const cents = weighted / CENTS;
    const a = cents < 0n ? -cents : cents;
    const whole = (a / 100n).toString();
    return `${cents < 0n ? "-" : ""}${whole}.${(a % 100n).toString().padStart(2, "0")}`;
  }

  const api = { circuitParams, evaluate, usd };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.ZkMargin = api;
})(typeof window !== "undefined" ? window : globalThis);
