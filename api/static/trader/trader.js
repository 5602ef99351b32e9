// The trader's check, in the browser: the same checks as `zksolvency verify-account` (verifier/inclusion.py)
// up to the margin evaluation. Only public epoch data is downloaded; the record never leaves the page.
(function () {
  "use strict";
  const AMOUNT_BITS = 64n;
  const WORD_BITS = 65n;
  const SUBACCOUNT_BITS = 16n;
  const QUANTA = 100000000n;
  const $ = (id) => document.getElementById(id);

  class CheckFailed extends Error {
    constructor(check, why) { super(`${check}: ${why}`); this.check = check; }
  }

  async function getJson(url, headers) {
    const response = await fetch(url, { headers: headers || {}, cache: "no-store" });
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = (await response.json()).detail; } catch (e) { /* keep the status text */ }
      throw new Error(`${url}: ${response.status} ${typeof detail === "string" ? detail : JSON.stringify(detail)}`);
    }
    return response.json();
  }

  const big = (v, where) => {
    if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
    if (typeof v === "string" && /^-?[0-9]{1,80}$/.test(v)) return BigInt(v);
    throw new CheckFailed("record", `${where} is not an integer`);
  };

  function units(q) {
    const negative = q < 0n;
    const a = negative ? -q : q;
    const frac = (a % QUANTA).toString().padStart(8, "0").replace(/0+$/, "");
    return `${negative ? "-" : ""}${a / QUANTA}${frac ? "." + frac : ""}`;
  }

  const esc = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  const signedWord = (v) => (v < 0n ? -v + (1n << AMOUNT_BITS) : v);

  function leafHash(account, salt, profile) {
    const balances = [...account.balances];
    const positions = [...account.positions];
    while (balances.length < profile.assets) balances.push(0n);
    while (positions.length < profile.markets) positions.push(0n);
    const words = [...balances, ...positions].map(signedWord);
    const packed = [];
    for (let g = 0; g < words.length; g += 3) {
      let element = 0n;
      words.slice(g, g + 3).forEach((w, i) => { element += w << (WORD_BITS * BigInt(i)); });
      packed.push(element);
    }
    const key = (account.accountId << SUBACCOUNT_BITS) | account.subaccount;
    return ZkPoseidon.hashVector([key, salt, ...packed]);
  }

  function climb(node, index, siblings, from, to) {
    for (let level = from; level < to; level++) {
      const position = Number((BigInt(index) >> BigInt(2 * level)) & 3n);
      const children = [...siblings[level]];
      children.splice(position, 0, node);
      node = ZkPoseidon.poseidon(children);
    }
    return node;
  }

  function readRecord(doc) {
    if (!doc || doc.format !== "zksolvency-record/1") throw new CheckFailed("record", "not a zksolvency-record/1 document");
    const a = doc.account || {};
    if (!Array.isArray(a.balances) || !Array.isArray(a.positions) || !Array.isArray(doc.path)) {
      throw new CheckFailed("record", "account balances, positions and path are required");
    }
    return {
      epochId: doc.epoch_id,
      profile: doc.profile,
      account: {
        accountId: big(a.account_id, "account_id"),
        subaccount: big(a.subaccount, "subaccount"),
        balances: a.balances.map((v, i) => big(v, `balances[${i}]`)),
        positions: a.positions.map((v, i) => big(v, `positions[${i}]`)),
      },
      salt: big(doc.salt, "salt"),
      index: Number(big(doc.index, "index")),
      path: doc.path.map((level, l) => {
        if (!Array.isArray(level) || level.length !== 3) throw new CheckFailed("path", `level ${l} must have three siblings`);
        return level.map((x) => big(x, `path[${l}]`));
      }),
    };
  }

  async function verify(doc, show) {
    const passed = (name) => show(name, true);
    const check = (name, ok, why) => { if (!ok) throw new CheckFailed(name, why); passed(name); };
    const record = readRecord(doc);
    const epochId = record.epochId;
    const epoch = await getJson(`/v1/epochs/${encodeURIComponent(epochId)}`);
    const profile = epoch.profile_sizes;
    check("profile", record.profile === profile.name, `the record is of profile ${record.profile}, the epoch of ${profile.name}`);
    check("epoch id", record.epochId === epoch.epoch_id, "the record is of another epoch");
    const acc = record.account;
    check(
      "account",
      acc.balances.length === epoch.params.assets.length && acc.positions.length === epoch.params.markets.length &&
        [...acc.balances, ...acc.positions].every((v) => v > -(1n << AMOUNT_BITS) && v < (1n << AMOUNT_BITS)) &&
        acc.accountId > 0n && acc.accountId < (1n << 48n) && acc.subaccount >= 0n && acc.subaccount < (1n << 16n),
      "the record is not an account of this epoch's assets and markets",
    );
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
    const params = ZkMargin.circuitParams(epoch.params, profile);
    check("parameter hash", ZkPoseidon.hashVector(params.vector) === BigInt(epoch.params_hash),
      "the published parameters hash to another value");
    const statement = batch.statement.map(BigInt);
    // The pairing comes first: nothing the batch claims is used before its proof verifies.
    const valid = await snarkjs.groth16.verify(keys.batch, batch.statement, batch.proof);
    check(`batch ${b} proof`, valid === true, "the Groth16 pairing check fails");
    check(`batch ${b} index`, statement[1] === BigInt(b), `it claims index ${statement[1]}`);
    check(`batch ${b} parameters`, statement[0] === BigInt(epoch.params_hash), "it was proven with other parameters");
    const node = climb(leafHash(acc, record.salt, profile), record.index, record.path, 0, profile.batch_levels);
    check("batch subtree", node === statement[4],
      `your leaf and path do not lead to the subtree root of batch ${b}: the record is not the one proven`);
    const root = climb(node, record.index, record.path, profile.batch_levels, profile.tree_depth);
    check("epoch root", root === BigInt(epoch.root), "your path does not lead to the published epoch root");
    const health = ZkMargin.evaluate(acc.balances, acc.positions, params);
    check("margin rules", health.healthy, "the account does not meet the margin rules under the epoch's parameters");
    return { record, epoch, batch: b, health };
  }

  function summary(result) {
    const { record, epoch, batch, health } = result;
    const acc = record.account;
    const label = `account ${acc.accountId}${acc.subaccount ? "/" + acc.subaccount : ""}`;
    const rows = epoch.params.assets.map((a, i) => `<tr><td>balance ${esc(a.symbol)}</td><td>${units(acc.balances[i])}</td></tr>`)
      .concat(epoch.params.markets.map((m, i) => {
        const s = acc.positions[i];
        const side = s > 0n ? "long" : s < 0n ? "short" : "flat";
        return `<tr><td>position ${esc(m.symbol)}</td><td>${units(s)} (${side})</td></tr>`;
      })).concat([
        `<tr><td>haircut equity</td><td id="equity">${ZkMargin.usd(health.equity)} USD</td></tr>`,
        `<tr><td>maintenance margin</td><td id="maintenance">${ZkMargin.usd(health.maintenance)} USD</td></tr>`,
        `<tr><td>free collateral</td><td id="free">${ZkMargin.usd(health.free)} USD</td></tr>`,
      ]).join("");
    const share = health.maintenance > 0n && health.equity > 0n
      ? ` (maintenance margin is ${(Number((health.maintenance * 10000n) / health.equity) / 100).toFixed(2)}% of haircut equity)`
      : health.maintenance === 0n ? " (no maintenance margin is due: no open position)" : "";
    const unsafe = epoch.unsafe
      ? "<p><strong>UNSAFE:</strong> this epoch was proven with development keys from a single-party setup; whoever made them could forge proofs.</p>"
      : "";
    return `<h2>What was proven about ${label}</h2>
      <ul>
        <li>These balances and positions are exactly those committed in leaf ${record.index}, under the published
            root of epoch ${epoch.epoch_id}.</li>
        <li>The proof of batch ${batch} (checked here) shows that every account of that batch, yours included, meets
            the cross-margin rule at the published prices and marks: its haircut equity is at least its maintenance margin.</li>
        <li>Together with the other batches, your account is counted in the venue's totals, which the published reserves
            cover asset by asset (the whole-epoch audit, run by the server when the epoch was published: ${epoch.valid ? "passed" : "failed"}).</li>
      </ul>${unsafe}
      <table><tbody>${rows}</tbody></table>
      <p id="health">Health: ${health.healthy ? "healthy" : "NOT healthy"}${share}.</p>`;
  }

  async function run() {
    const checks = $("checks");
    const verdict = $("verdict");
    checks.innerHTML = "";
    $("summary").innerHTML = "";
    verdict.className = "";
    verdict.dataset.state = "checking";
    verdict.textContent = "Checking...";
    const show = (name, ok, why) => {
      const li = document.createElement("li");
      li.className = ok ? "ok" : "fail";
      li.textContent = ok ? name : `${name}: ${why}`;
      checks.appendChild(li);
    };
    try {
      let doc;
      const file = $("record-file").files[0];
      if (file) {
        try { doc = JSON.parse(await file.text()); } catch (e) { throw new CheckFailed("record", "the file is not JSON"); }
      } else {
        const token = $("token").value.trim();
        if (!token) throw new Error("give your access token or your record file");
        doc = await getJson(`/v1/epochs/${encodeURIComponent($("epoch").value)}/record`, { Authorization: `Bearer ${token}` });
      }
      const result = await verify(doc, show);
      verdict.className = "valid";
      verdict.dataset.state = "valid";
      verdict.textContent = "VALID: your account is in the published epoch, and its batch proof holds.";
      $("summary").innerHTML = summary(result);
    } catch (error) {
      if (error instanceof CheckFailed) show(error.check, false, error.message.slice(error.check.length + 2));
      verdict.className = "invalid";
      verdict.dataset.state = "invalid";
      verdict.textContent = `INVALID: ${error.message}`;
    }
  }

  async function init() {
    try {
      const list = await getJson("/v1/epochs");
      for (const e of list.epochs) {
        const option = document.createElement("option");
        option.value = e.epoch_id;
        option.textContent = `epoch ${e.epoch_id} (${e.accounts} accounts, root ${e.root.slice(0, 12)}...)`;
        $("epoch").appendChild(option);
      }
    } catch (error) {
      $("verdict").textContent = `cannot list epochs: ${error.message}`;
    }
    $("check").addEventListener("click", run);
    $("token").addEventListener("input", () => { $("record-file").value = ""; }); // the last one given wins
    $("record-file").addEventListener("change", () => { $("token").value = ""; });
    document.body.dataset.ready = "true";
  }

  init();
})();
