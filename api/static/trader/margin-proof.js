// A margin proof (zksolvency-margin-proof/2) checked in the browser, as verifier/margin_proof.py's
// check_margin_proof does: against the published epoch and its margin verification key, by snarkjs.
// Whose account it is cannot be told here: its nullifier needs the trader's holder secret, which never
// enters this page (`zksolvency verify-account --secret` checks it on the trader's machine).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const { InputError, CheckFailed, getJson, esc, hex32 } = ZkPage;
  const { scaled } = ZkMargin;
  const FORMAT = "zksolvency-margin-proof/2";
  const AMOUNT_BITS = 64n;
  const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

  const int = (v, where) => ZkPage.integer(v, where, (why) => new InputError(`the margin proof's ${why}`));

  function readFile(doc) {
    if (!doc || doc.format !== FORMAT) throw new InputError(`the file is not a ${FORMAT} document`);
    const inputs = doc.public_inputs;
    if (!Array.isArray(inputs) || inputs.length !== 6) throw new InputError("the margin proof's public_inputs are not six numbers");
    for (const name of ["recipient", "gate"]) {
      if (typeof doc[name] !== "string" || !ADDRESS.test(doc[name])) {
        throw new InputError(`the margin proof's ${name} is not a 0x address of 40 hex digits`);
      }
    }
    if (!doc.proof || typeof doc.proof !== "object") throw new InputError("the margin proof has no proof");
    return {
      epochId: int(doc.epoch_id, "epoch_id"),
      root: int(doc.root, "root"),
      paramsHash: int(doc.params_hash, "params_hash"),
      threshold: int(doc.threshold, "threshold"),
      recipient: BigInt(doc.recipient),
      chainId: int(doc.chain_id, "chain_id"),
      gate: BigInt(doc.gate),
      nullifier: int(doc.nullifier, "nullifier"),
      inputs: inputs.map((x, i) => int(x, `public_inputs[${i}]`)),
      proof: doc.proof,
    };
  }

  async function verify(file, show) {
    const check = (name, ok, why) => { if (!ok) throw new CheckFailed(name, why); show(name, true); };
    const epoch = await ZkPage.epoch(file.epochId);
    check("margin proof epoch", BigInt(epoch.epoch_id) === file.epochId, `it is about epoch ${file.epochId}`);
    check("margin proof root", file.root === BigInt(epoch.root), "it is about another account root");
    check("margin proof parameters", file.paramsHash === BigInt(epoch.params_hash), "it uses other parameters");
    check("margin proof binding", file.chainId > 0n && file.chainId < (1n << 64n), "the chain id is not a positive 64-bit integer");
    check("margin proof threshold", file.threshold >= 0n && file.threshold < (1n << AMOUNT_BITS), "the threshold is not below 2^64");
    const statement = [file.root, file.paramsHash, file.threshold, file.recipient + (file.chainId << 160n),
      file.gate + (file.chainId << 160n), file.nullifier];
    check("margin proof statement", statement.every((x, i) => x === file.inputs[i]),
      "its public inputs are not (root, params hash, threshold, recipient + 2^160 chain id, gate + 2^160 chain id, nullifier)");
    const keys = await getJson(`/v1/epochs/${file.epochId}/verification-keys`);
    let valid = false;
    try { valid = await snarkjs.groth16.verify(keys.margin, file.inputs.map(String), file.proof); } catch (e) { valid = false; }
    check("margin proof pairing", valid === true, "the Groth16 pairing check fails");
    return { epoch };
  }

  function summary(file, result) {
    const { epoch } = result;
    const whose = "An account of the epoch (its nullifier tells whose only to the holder of its secret)";
    const unsafe = epoch.unsafe
      ? `<p class="unsafe-note"><strong>UNSAFE:</strong> epoch ${epoch.epoch_id} uses development keys: this proof could be forged.</p>`
      : "";
    return `<h3>What this margin proof shows</h3>
      <p>${esc(whose)} of epoch ${epoch.epoch_id}, committed under the root <code class="hash">${hex32(epoch.root)}</code>,
         has haircut equity above its initial margin by at least <strong id="margin-threshold">${scaled(file.threshold, 8)} USD</strong> at the
         epoch's prices and marks.</p>
      <table class="facts"><tbody>
        <tr><th>recipient</th><td><code id="margin-recipient">0x${file.recipient.toString(16).padStart(40, "0")}</code></td></tr>
        <tr><th>chain id</th><td id="margin-chain">${file.chainId}</td></tr>
        <tr><th>gate</th><td><code id="margin-gate">0x${file.gate.toString(16).padStart(40, "0")}</code></td></tr>
        <tr><th>nullifier</th><td><code class="hash">${hex32(file.nullifier)}</code></td></tr>
      </tbody></table>
      <p class="note">Only that recipient, at that gate on that chain, can use the proof; the nullifier lets the gate accept it once.</p>${unsafe}`;
  }

  async function run() {
    const out = ZkPage.report("margin-verdict", "margin-checks");
    $("margin-summary").innerHTML = "";
    out.start();
    try {
      const chosen = $("margin-file").files[0];
      if (!chosen) throw new InputError("choose a margin proof file");
      let doc;
      try { doc = JSON.parse(await chosen.text()); } catch (e) { throw new InputError(`${chosen.name} is not JSON`); }
      const file = readFile(doc);
      const result = await verify(file, out.show);
      out.valid("VALID: the margin proof holds for this epoch.");
      $("margin-summary").innerHTML = summary(file, result);
    } catch (error) {
      out.fail(error);
    }
  }

  $("check-margin").addEventListener("click", run);
})();
