"""The trader page's margin model (margin.js) against the verifier's, on sample venues, through Node."""

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from zksolvency.api.routes.trader import STATIC, _constants
from zksolvency.prover.sample import sample_venue
from zksolvency.verifier.formats import params_to_json
from zksolvency.verifier.margin import evaluate, usd
from zksolvency.verifier.profiles import PROFILES

SCRIPT = """
const P = require(process.argv[2]); const M = require(process.argv[3]);
const input = JSON.parse(require('fs').readFileSync(process.argv[4], 'utf8'));
P.load(JSON.parse(require('fs').readFileSync(process.argv[5], 'utf8')));
const params = M.circuitParams(input.params, input.profile, P.hashVector);
const out = {hash: P.hashVector(params.vector).toString(), accounts: input.accounts.map(([b, p]) => {
  const h = M.evaluate(b.map(BigInt), p.map(BigInt), params);
  return [h.equity, h.maintenance, h.free, h.netValue, h.shortfall, h.badDebt].map(String)
    .concat([M.usd(h.equity), h.healthy, h.marginClass]);
})};
console.log(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
@pytest.mark.parametrize("profile_name", ["ci", "reference"])
def test_margin_js_is_the_verifiers_model(profile_name: str, tmp_path: Path) -> None:
    profile = PROFILES[profile_name]
    venue = sample_venue(300, seed=8, profile=profile)
    params = venue.params.circuit(profile)
    # The sample is healthy; the same accounts with settlement debt added are liquidatable or bankrupt.
    indebted = [
        dataclasses.replace(a, balances=(a.balances[0] - 10**8 * 10**k, *a.balances[1:]))
        for a in venue.accounts[:40]
        for k in range(3, 8)
    ]
    every = [*venue.accounts, *indebted]
    accounts = [[[str(v) for v in a.balances], [str(v) for v in a.positions]] for a in every]
    data = tmp_path / "input.json"
    data.write_text(
        json.dumps({"params": params_to_json(venue.params), "profile": vars(profile), "accounts": accounts})
    )
    constants = tmp_path / "constants.json"
    constants.write_text(json.dumps(_constants()))
    script = tmp_path / "check.js"
    script.write_text(SCRIPT)
    command = [
        "node",
        str(script),
        str(STATIC / "poseidon.js"),
        str(STATIC / "margin.js"),
        str(data),
        str(constants),
    ]
    out = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    assert out["hash"] == str(params.hash)
    expected = []
    for a in every:
        h = evaluate(a, params)
        figures = (h.equity, h.maintenance, h.free, h.net_value, h.shortfall, h.bad_debt)
        expected.append([*map(str, figures), usd(h.equity), h.healthy, h.margin_class])
    assert out["accounts"] == expected
    assert any(int(row[1]) > 0 for row in expected)  # positions with margin due are covered
    assert {row[-1] for row in expected} == {"healthy", "liquidatable", "bankrupt"}
