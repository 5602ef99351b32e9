// The trader's check, in the browser: the same checks as `zksolvency verify-account` (verifier/inclusion.py)
// up to the margin evaluation. Only public epoch data is downloaded; the record never leaves the page.
(function () {
  "use strict";
  const AMOUNT_BITS = 64n;
  const WORD_BITS = 65n;
  const SUBACCOUNT_BITS = 16n;
  // A portfolio account's key id carries bit 47 (verifier/field.py PORTFOLIO_FLAG); written ids are below it.
  const PORTFOLIO_FLAG = 1n << 47n;
  const LEAF_DOMAIN = ZkPage.domain("leaf");
  const NODE_DOMAIN = ZkPage.domain("node");
  const $ = (id) => document.getElementById(id);
  const { InputError, CheckFailed, HttpError, getJson, esc, hex32 } = ZkPage;
  const { scaled } = ZkMargin;
  // A record field that is not an integer: the file is not a readable record.
  const big = (v, where) => ZkPage.integer(v, where, (why) => new InputError(`the record's ${why}`));
  const units = (q) => scaled(q, 8);
  const padded = (list, n) => Array.from({ length: n }, (_, i) => (i < list.length ? list[i] : 0n));

  const signedWord = (v) => (v < 0n ? -v + (1n << AMOUNT_BITS) : v);

  function leafHash(account, salt, profile) {
    const balances = padded(account.balances, profile.assets);
    const positions = padded(account.positions, profile.markets);
    const options = padded(account.options, profile.options);
    const words = [...balances, ...positions, ...options].map(signedWord);
    const packed = [];
    for (let g = 0; g < words.length; g += 3) {
      let element = 0n;
      words.slice(g, g + 3).forEach((w, i) => { element += w << (WORD_BITS * BigInt(i)); });
      packed.push(element);
    }
    const keyId = account.accountId | (account.portfolio ? PORTFOLIO_FLAG : 0n);
    const key = (keyId << SUBACCOUNT_BITS) | account.subaccount;
    // The second element seals the salt with the holder commitment (docs/statement.md 5.5).
    const sealed = ZkPoseidon.poseidon([salt, account.holder]);
    return ZkPoseidon.hashVector([key + (LEAF_DOMAIN << AMOUNT_BITS), sealed, ...packed]);
  }

  function climb(node, index, siblings, from, to) {
    for (let level = from; level < to; level++) {
      const position = Number((BigInt(index) >> BigInt(2 * level)) & 3n);
      const children = [...siblings[level]];
      children.splice(position, 0, node);
      node = ZkPoseidon.poseidon([NODE_DOMAIN, ...children]);
    }
    return node;
  }

  function readRecord(doc) {
    if (!doc || doc.format !== "zksolvency-record/1") throw new InputError("the file is not a zksolvency-record/1 document");
    const a = doc.account || {};
    if (!Array.isArray(a.balances) || !Array.isArray(a.positions) || !Array.isArray(doc.path)) {
      throw new InputError("the record has no account balances, positions or path");
    }
    // A record made before option series existed has no options: it holds none.
    const options = a.options === undefined ? [] : a.options;
    if (!Array.isArray(options)) throw new InputError("the record's account options are not a list");
    // A record made before portfolio margin existed has no margin field: a standard account.
    const margin = a.margin === undefined ? "standard" : a.margin;
    if (margin !== "standard" && margin !== "portfolio") throw new InputError('the record\'s account margin is not "standard" or "portfolio"');
    return {
      epochId: big(doc.epoch_id, "epoch_id"),
      profile: doc.profile,
      account: {
        accountId: big(a.account_id, "account_id"),
        subaccount: big(a.subaccount, "subaccount"),
        holder: big(a.holder, "holder"),
        portfolio: margin === "portfolio",
        balances: a.balances.map((v, i) => big(v, `balances[${i}]`)),
        positions: a.positions.map((v, i) => big(v, `positions[${i}]`)),
        options: options.map((v, i) => big(v, `options[${i}]`)),
      },
      salt: big(doc.salt, "salt"),
      index: Number(big(doc.index, "index")),
      path: doc.path.map((level, l) => {
        if (!Array.isArray(level) || level.length !== 3) throw new InputError(`the record's path level ${l} is not three siblings`);
        return level.map((x) => big(x, `path[${l}]`));
      }),
    };
  }

  // Why the record's account cannot be one of this epoch's (Account.validate and the account check of
  // verifier/inclusion.py), or null: one balance per asset, one position per market, at most one option
  // position per series of the epoch, every amount below 2^64 in magnitude; an isolated subaccount holds
  // only the settlement asset and no option; a portfolio account is one record, subaccount 0.
  function accountFault(acc, params) {
    const inRange = (v) => v > -(1n << AMOUNT_BITS) && v < (1n << AMOUNT_BITS);
    const series = (params.options || []).length;
    if (!(acc.accountId > 0n && acc.accountId < PORTFOLIO_FLAG && acc.subaccount >= 0n && acc.subaccount < (1n << 16n))) {
      return "the account id must be 1 <= id < 2^47 and the subaccount 0 <= n < 2^16";
    }
    if (acc.portfolio && acc.subaccount !== 0n) {
      return "a portfolio account is one record, subaccount 0 (its isolated positions belong in its portfolio)";
    }
    if (acc.balances.length !== params.assets.length || acc.positions.length !== params.markets.length) {
      return `the record is not an account of this epoch's ${params.assets.length} assets and ${params.markets.length} markets`;
    }
    if (acc.options.length > series) return `the record holds ${acc.options.length} option positions; the epoch lists ${series} option series`;
    for (const [kind, values] of [["balances", acc.balances], ["positions", acc.positions], ["options", acc.options]]) {
      const i = values.findIndex((v) => !inRange(v));
      if (i >= 0) return `${kind}[${i}] is out of range (|v| < 2^64)`;
    }
    if (acc.subaccount !== 0n) {
      const b = acc.balances.findIndex((v, i) => i > 0 && v !== 0n);
      if (b >= 0) return `balances[${b}] is not 0: an isolated subaccount holds only the settlement asset besides its positions`;
      const o = acc.options.findIndex((v) => v !== 0n);
      if (o >= 0) return `options[${o}] is not 0: options are held by the cross account (subaccount 0)`;
    }
    return null;
  }

  async function verify(doc, show) {
    const passed = (name) => show(name, true);
    const check = (name, ok, why) => { if (!ok) throw new CheckFailed(name, why); passed(name); };
    const record = readRecord(doc);
    const epochId = record.epochId;
    const epoch = await ZkPage.epoch(epochId);
    showEpoch(epoch);
    const profile = epoch.profile_sizes;
    check("profile", record.profile === profile.name, `the record is of profile ${record.profile}, the epoch of ${profile.name}`);
    check("epoch id", record.epochId === BigInt(epoch.epoch_id), "the record is of another epoch");
    const acc = record.account;
    const fault = accountFault(acc, epoch.params);
    check("account", fault === null, fault);
    const size = 4 ** profile.batch_levels;
    check("path", record.path.length === profile.tree_depth && record.path.every((l) => l.every((x) => x >= 0n && x < ZkPoseidon.R)),
      `the path must have ${profile.tree_depth} levels of three field elements`);
    check("index", Number.isSafeInteger(record.index) && record.index >= 0 && record.index < epoch.batches * size,
      `leaf ${record.index} is not in the ${epoch.batches} proven batches`);
    const b = Math.floor(record.index / size);
    const [batch, keys, constants] = await Promise.all([
      getJson(`/v1/epochs/${epochId}/batches/${b}`),
      getJson(`/v1/epochs/${epochId}/verification-keys`),
      getJson("/trader/poseidon-constants.json"),
    ]);
    ZkPoseidon.load(constants);
    const params = ZkMargin.circuitParams(epoch.params, profile, ZkPoseidon.hashVector);
    check("parameter hash", ZkPoseidon.hashVector(params.vector) === BigInt(epoch.params_hash),
      "the published parameters hash to another value");
    const statement = batch.statement.map(BigInt);
    // The pairing comes first: nothing the batch claims is used before its proof verifies.
    // A portfolio batch is proven by the portfolio batch circuit, under its own key.
    const circuit = batch.kind === "portfolio" ? "portfolio_batch" : "batch";
    const valid = await snarkjs.groth16.verify(keys[circuit], statement.map(String), batch.proof);
    check(`batch ${b} proof`, valid === true, "the Groth16 pairing check fails");
    check(`batch ${b} index`, statement[1] === BigInt(b), `it claims index ${statement[1]}`);
    check(`batch ${b} parameters`, statement[0] === BigInt(epoch.params_hash), "it was proven with other parameters");
    const node = climb(leafHash(acc, record.salt, profile), record.index, record.path, 0, profile.batch_levels);
    check("batch subtree", node === statement[4],
      `your leaf and path do not lead to the subtree root of batch ${b}: the record is not the one proven`);
    const root = climb(node, record.index, record.path, profile.batch_levels, profile.tree_depth);
    check("epoch root", root === BigInt(epoch.root), "your path does not lead to the published epoch root");
    const health = ZkMargin.evaluate(acc, params);
    const figures = ZkMargin.positionFigures(acc, epoch.params, params).map(ZkMargin.figuresJson);
    return { record, epoch, batch: b, health, figures, params };
  }

  function summary(result) {
    const { record, epoch, batch, health, figures, params } = result;
    const acc = record.account;
    const label = `account ${acc.accountId}${acc.subaccount ? "/" + acc.subaccount : ""}`;
    const options = epoch.params.options || [];
    const regime = acc.portfolio ? "portfolio (the epoch's scenario grid)" : "standard";
    const rows = [`<tr><td>margin</td><td id="margin-regime" data-margin="${acc.portfolio ? "portfolio" : "standard"}">${regime}</td></tr>`]
      .concat(epoch.params.assets.map((a, i) => `<tr><td>balance ${esc(a.symbol)}</td><td>${units(acc.balances[i])}</td></tr>`))
      .concat(epoch.params.markets.map((m, i) => {
        const s = acc.positions[i];
        const side = s > 0n ? "long" : s < 0n ? "short" : "flat";
        return `<tr><td>position ${esc(m.symbol)}</td><td>${units(s)} (${side})</td></tr>`;
      }))
      .concat(acc.options.flatMap((s, i) => (s === 0n ? [] : [
        `<tr><td>option ${esc(options[i].symbol)}</td><td>${units(s)} (${s > 0n ? "long" : "short"} ${esc(options[i].type)})</td></tr>`,
      ])))
      .concat([
        `<tr><td>haircut equity</td><td id="equity">${ZkMargin.usd(health.equity)} USD</td></tr>`,
        `<tr><td>maintenance margin</td><td id="maintenance">${ZkMargin.usd(health.maintenance)} USD</td></tr>`,
        `<tr><td>free collateral</td><td id="free">${ZkMargin.usd(health.free)} USD</td></tr>`,
        `<tr><td>initial margin</td><td id="initial">${ZkMargin.usd(health.initial)} USD</td></tr>`,
        `<tr><td>available (haircut equity - initial margin)</td><td id="available">${ZkMargin.usd(health.available)} USD</td></tr>`,
      ]).join("");
    const share = health.healthy && health.maintenance > 0n && health.equity > 0n
      ? ` (maintenance margin is ${(Number((health.maintenance * 10000n) / health.equity) / 100).toFixed(2)}% of haircut equity)`
      : health.maintenance === 0n && health.scenario ? " (no maintenance margin is due: no scenario of the grid loses)"
        : health.maintenance === 0n ? ` (no maintenance margin is due: ${figures.length ? "no short option and no perpetual" : "no open position"})` : "";
    const unsafe = epoch.unsafe
      ? `<p class="unsafe-note"><strong>UNSAFE:</strong> these proofs were made with development keys; whoever made them could forge proofs.</p>`
      : "";
    return `<h2>What was proven about ${label}</h2>
      <ul>
        <li>These balances and positions are exactly those committed in leaf ${record.index}, under the published
            root <code class="hash">${hex32(epoch.root)}</code> of epoch ${epoch.epoch_id}.</li>
        <li>The proof of batch ${batch} (checked here) classifies every account of that batch, yours included, at the
            published prices and marks (healthy, liquidatable or bankrupt), and counts it into the epoch's published
            classes, maintenance shortfall and bad debt.</li>
        <li>Together with the other batches, your account is counted in the venue's totals, which the published reserves
            cover asset by asset (the whole-epoch audit, run by the server when the epoch was published: ${epoch.valid ? "passed" : "failed"}).</li>
      </ul>${unsafe}
      <table><tbody>${rows}</tbody></table>${positionTable(figures, acc.portfolio)}${health.scenario ? ZkGrid.section(health, params) : ""}
      <p id="health" data-class="${health.marginClass}">Class: ${inWords(health)}${share}.</p>`;
  }

  // Each open position's value, margins and Greeks, as the verifier reports them (PositionFigures.to_json):
  // exact USD, and the Greeks of the whole position at the series' mark volatility (Black-76, black76.js).
  const COLUMNS = [
    ["symbol", "position"], ["size", "size"], ["value_usd", "value USD"], ["initial_margin_usd", "IM USD"],
    ["maintenance_margin_usd", "MM USD"], ["delta", "delta"], ["gamma", "gamma"], ["vega_usd", "vega USD"],
  ];
  function positionTable(figures, portfolio) {
    if (!figures.length) return "";
    const head = COLUMNS.map(([, title]) => `<th>${title}</th>`).join("");
    const body = figures.map((f) => `<tr data-kind="${esc(f.kind)}">${
      COLUMNS.map(([field]) => `<td data-field="${field}">${f[field] === null ? "-" : esc(f[field])}</td>`).join("")}</tr>`).join("");
    const margins = portfolio
      ? `IM and MM are not defined per position in a portfolio account: it is margined as a whole by the scenario
      grid below (its initial and maintenance margin are above)`
      : "IM and MM are the position's initial and maintenance margin (a long option needs none)";
    return `<h3>Open positions</h3>
      <div class="wide"><table id="positions"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>
      <p class="note">Value at the published mark; ${margins}; delta in units of the underlying, gamma per 1 USD move of it, vega in USD per
      volatility point, from Black-76 at the series' mark volatility, computed in this page.</p>`;
  }

  // The account's class and what it means (AccountHealth.in_words).
  function inWords(h) {
    const usd = ZkMargin.usd;
    if (h.marginClass === "healthy") {
      return `healthy: haircut equity ${usd(h.equity)} USD covers maintenance margin ${usd(h.maintenance)} USD`;
    }
    if (h.marginClass === "liquidatable") {
      return `liquidatable: haircut equity ${usd(h.equity)} USD is below maintenance margin ${usd(h.maintenance)} USD ` +
        `(short by ${usd(h.shortfall)} USD); the venue may liquidate it`;
    }
    return `bankrupt: haircut equity is ${usd(h.equity)} USD, a loss of ${usd(h.badDebt)} USD beyond the account's ` +
      "funds that the venue's insurance fund must absorb";
  }

  // The epoch a record is checked against: its setup (UNSAFE first), its root as the chain shows it, and
  // the prices and marks every account of it was measured with.
  function showEpoch(epoch) {
    const unsafe = epoch.unsafe
      ? `<div id="unsafe" class="unsafe-banner" role="alert"><strong>UNSAFE</strong>: epoch ${epoch.epoch_id} was proven
         with development keys from a single-party setup. Whoever made them could forge every proof below: a VALID here
         means nothing until the venue uses keys from a public ceremony.</div>`
      : "";
    const prices = epoch.params.assets.map((a) => `<tr><td>${esc(a.symbol)} price</td><td>${scaled(a.price, 8)}</td></tr>`)
      .concat(epoch.params.markets.map((m) => `<tr><td>${esc(m.symbol)} mark</td><td>${scaled(m.mark, 8)}</td></tr>`));
    $("epoch-info").innerHTML = `${unsafe}
      <table class="facts"><tbody>
        <tr><th>epoch</th><td id="epoch-id">${epoch.epoch_id}</td></tr>
        <tr><th>account root</th><td><code id="root" class="hash">${hex32(epoch.root)}</code></td></tr>
        <tr><th>setup</th><td id="setup">${epoch.unsafe ? '<span class="badge">UNSAFE</span> ' : ""}${esc(epoch.setup.kind)}</td></tr>
        <tr><th>published audit</th><td>${epoch.valid ? "passed" : "failed"}</td></tr>
      </tbody></table>
      <h3>Prices and marks used (USD)</h3>
      <table id="prices"><tbody>${prices.join("")}</tbody></table>`;
    $("epoch-info").dataset.epoch = String(epoch.epoch_id);
  }

  // The record as read, offered back to the trader as a file.
  function offerDownload(doc) {
    const link = $("download");
    if (link.href) URL.revokeObjectURL(link.href);
    const a = doc.account || {};
    const blob = new Blob([JSON.stringify(doc, null, 2) + "\n"], { type: "application/json" });
    link.href = URL.createObjectURL(blob);
    const part = (v) => String(v).replace(/[^0-9A-Za-z_-]/g, "");
    link.download = `zksolvency-record-epoch-${part(doc.epoch_id)}-account-${part(a.account_id)}${a.subaccount ? "-" + part(a.subaccount) : ""}.json`;
    link.hidden = false;
  }

  async function readInput() {
    const file = $("record-file").files[0];
    if (file) {
      try { return JSON.parse(await file.text()); } catch (e) { throw new InputError(`${file.name} is not JSON`); }
    }
    const token = $("token").value.trim();
    const epochId = $("epoch").value;
    if (!token) throw new InputError("give your access token or your record file");
    try {
      return await getJson(`/v1/epochs/${encodeURIComponent(epochId)}/record`, { Authorization: `Bearer ${token}` });
    } catch (error) {
      if (error instanceof HttpError && [401, 403, 404].includes(error.status)) {
        throw new InputError(`no record for this token in epoch ${epochId}: check the token and the epoch`);
      }
      throw error;
    }
  }

  async function run() {
    const out = ZkPage.report("verdict", "checks");
    $("summary").innerHTML = "";
    $("download").hidden = true;
    out.start();
    try {
      const doc = await readInput();
      if (doc && typeof doc === "object" && doc.format === "zksolvency-record/1") offerDownload(doc);
      const result = await verify(doc, out.show);
      out.valid("VALID: your account is in the published epoch, and its batch proof holds.");
      $("summary").innerHTML = summary(result);
    } catch (error) {
      out.fail(error);
    }
  }

  async function selectEpoch() {
    try {
      showEpoch(await ZkPage.epoch($("epoch").value));
    } catch (error) {
      $("epoch-info").textContent = `cannot read epoch ${$("epoch").value}: ${error.message}`;
    }
  }

  async function init() {
    try {
      const list = await getJson("/v1/epochs");
      for (const e of list.epochs) {
        const option = document.createElement("option");
        option.value = e.epoch_id;
        option.textContent = `epoch ${e.epoch_id}, ${e.published_at.slice(0, 10)}${e.unsafe ? " (UNSAFE keys)" : ""}`;
        $("epoch").appendChild(option);
      }
      if (list.epochs.length) await selectEpoch();
    } catch (error) {
      $("verdict").textContent = `cannot list epochs: ${error.message}`;
    }
    $("epoch").addEventListener("change", selectEpoch);
    $("check").addEventListener("click", run);
    $("token").addEventListener("input", () => { $("record-file").value = ""; }); // the last one given wins
    $("record-file").addEventListener("change", () => { $("token").value = ""; });
    document.body.dataset.ready = "true";
  }

  init();
})();
