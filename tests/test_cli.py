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


def test_circuits_info_names_every_circuit_with_its_constraints_per_account(ci: Circuits) -> None:
    result = run("circuits", "info", "--profile", "ci", "--json")
    assert result.returncode == 0, result.stderr
    circuits = json.loads(result.stdout)["circuits"]
    assert list(circuits) == ["batch", "portfolio_batch", "margin"]
    built = {"batch": ci.batch, "portfolio_batch": ci.portfolio, "margin": ci.margin}
    for kind, row in circuits.items():
        accounts = 1 if kind == "margin" else ci.profile.batch_size
        assert row["constraints"] == built[kind].circuit.info.constraints, kind
        assert row["accounts"] == accounts, kind
        assert row["constraints_per_account"] == round(row["constraints"] / accounts, 1), kind
    # Both batch kinds chain into one state (the same five public inputs); a portfolio record costs more
    # than a standard one (its scenario grid). The margin proof's sixth public input is the scope.
    standard, portfolio = circuits["batch"], circuits["portfolio_batch"]
    assert portfolio["public_inputs"] == standard["public_inputs"] == 5
    assert portfolio["constraints_per_account"] > standard["constraints_per_account"]
    assert circuits["margin"]["public_inputs"] == 6


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
