"""Settings refuse the default venue token outside development; the console script carries `serve`."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from zksolvency.api.cli import app
from zksolvency.api.config import Settings
from zksolvency.api.routes.trader import STATIC, _constants
from zksolvency.verifier.poseidon import hash_vector, poseidon


def test_default_secret_is_refused_outside_development(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).venue_token.get_secret_value() == "changethis"
    with pytest.raises(ValidationError, match="VENUE_TOKEN"):
        Settings(environment="production", data_dir=tmp_path)
    with pytest.raises(ValidationError, match="VENUE_TOKEN"):
        Settings(environment="production", venue_token="short")
    assert Settings(environment="production", venue_token="v" * 32).database.startswith("sqlite:///")


def test_serve_is_a_command_of_the_console_script(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    assert "serve" in runner.invoke(app, ["--help"]).output
    monkeypatch.setenv("ZKSOLVENCY_ENVIRONMENT", "production")
    monkeypatch.delenv("ZKSOLVENCY_VENUE_TOKEN", raising=False)
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2 and "VENUE_TOKEN" in result.output


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_pages_poseidon_is_circomlibs(tmp_path: Path) -> None:
    constants = tmp_path / "constants.json"
    constants.write_text(json.dumps(_constants()))
    cases = [[0], [1, 2], [3, 4, 5, 6], list(range(1, 13)), [2**253 + 7] * 5]
    vector = list(range(100, 131))
    inputs = json.dumps([[str(x) for x in c] for c in cases])
    script = (
        f"const P = require({json.dumps(str(STATIC / 'poseidon.js'))});"
        f"P.load(require({json.dumps(str(constants))}));"
        f"const out = {inputs}.map(c => P.poseidon(c.map(BigInt)).toString());"
        f"out.push(P.hashVector({json.dumps([str(x) for x in vector])}.map(BigInt)).toString());"
        "console.log(JSON.stringify(out));"
    )
    got = json.loads(
        subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout
    )
    assert got == [str(poseidon(c)) for c in cases] + [str(hash_vector(vector))]
