"""The trader page's margin model (margin.js) against the verifier's, on sample venues, through Node."""

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
const params = M.circuitParams(input.params, input.profile);
const out = {hash: P.hashVector(params.vector).toString(), accounts: input.accounts.map(([b, p]) => {
  const h = M.evaluate(b.map(BigInt), p.map(BigInt), params);
  return [h.equity, h.maintenance, h.free, h.netValue].map(String).concat([M.usd(h.equity), h.healthy]);
})};
console.log(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
@pytest.mark.parametrize("profile_name", ["ci", "reference"])
def test_margin_js_is_the_verifiers_model(profile_name: str, tmp_path: Path) -> None:
    profile = PROFILES[profile_name]
    venue = sample_venue(300, seed=8, profile=profile)
    params = venue.params.circuit(profile)
    accounts = [[[str(v) for v in a.balances], [str(v) for v in a.positions]] for a in venue.accounts]
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
    for a in venue.accounts:
        h = evaluate(a, params)
        expected.append(
            [str(h.equity), str(h.maintenance), str(h.free), str(h.net_value), usd(h.equity), h.healthy]
        )
    # The page may group thousands for display; the figures are the same (docs/json.md has the JSON form).
    assert [[*row[:4], row[4].replace(",", ""), row[5]] for row in out["accounts"]] == expected
    assert any(int(row[1]) > 0 for row in expected)  # positions with margin due are covered
