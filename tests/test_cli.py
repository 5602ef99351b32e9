"""The `zksolvency` command, run as a real process: JSON output and Unix exit codes."""

import json
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

from conftest import Circuits

CLI = str(Path(sys.executable).parent / "zksolvency")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=600, check=False)


def test_circuits_info_json(ci: Circuits) -> None:
    result = run("circuits", "info", "--profile", "ci", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    batch = info["circuits"]["batch"]
    assert batch["constraints"] == ci.batch.circuit.info.constraints
    assert batch["public_inputs"] == 5 and batch["accounts"] == ci.profile.batch_size
    assert batch["constraints_per_account"] == round(batch["constraints"] / ci.profile.batch_size, 1)
    assert info["circuits"]["margin"]["public_inputs"] == 6  # the scope is the sixth


def test_unknown_profile_is_bad_input() -> None:
    result = run("circuits", "info", "--profile", "nope")
    assert result.returncode == 2
    assert "unknown profile 'nope'" in result.stderr


def test_demo_proves_and_verifies_a_sample_venue(ci: Circuits) -> None:
    result = run("demo", "--accounts", "6", "--seed", "5", "--workers", "1", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["valid"] is True and report["failure"] is None
    assert report["accounts"] >= 6 and report["batches"] == -(-report["accounts"] // ci.profile.batch_size)
    assert report["setup"]["kind"] == "development" and report["setup"]["unsafe"] is True
    assert report["portfolio_accounts"] == 2 and report["option_positions"] > 0  # the desk's 2 of 9 records
    assert report["prove_seconds"] > 0 and report["accounts_per_second"] > 0
    # The JSON vocabulary (docs/json.md): no thousands separators, hashes as 0x and 64 hex digits.
    assert "," not in json.dumps(report, separators=(";", ":"))
    assert re.fullmatch(r"0x[0-9a-f]{64}", report["root"]) and report["setup"]["unsafe"] is True
    assert [row["asset"] for row in report["coverage"]] == ["USDT", "BTC", "ETH"]
    for row in report["coverage"]:  # proven from the custody balances on the demo's anvil node
        assert re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", row["declared"])
        assert Fraction(row["proven"]) >= Fraction(row["declared"]) > 0 and row["unproven"] == "0"
        assert row["proven_covered"] is True and (row["coverage"] is None or Fraction(row["coverage"]) >= 1)
    assert (
        Fraction(report["coverage"][0]["insurance_proven"])
        >= Fraction(report["coverage"][0]["insurance"])
        > 0
    )


def test_demo_labels_development_keys_unsafe(ci: Circuits) -> None:
    result = run("demo", "--accounts", "2", "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert "UNSAFE" in result.stdout and "VALID" in result.stdout
    assert "declared" in result.stdout and "proven" in result.stdout
