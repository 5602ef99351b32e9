"""`zksolvency verify-account` on a portfolio account, as a real process on a proved epoch folder: the
regime, the scenario grid (JSON and table, the worst cell marked), positions without margins of their own."""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import Circuits
from factories import with_portfolios

from zksolvency.prover.epoch import prove_epoch
from zksolvency.prover.publish import write_epoch
from zksolvency.prover.sample import sample_venue
from zksolvency.verifier.formats import PUBLIC_EPOCH, RECORDS, epoch_from_json, record_from_json
from zksolvency.verifier.grid import LOSS_SCALE, scenario_grid, table_lines
from zksolvency.verifier.margin import evaluate

CLI = str(Path(sys.executable).parent / "zksolvency")
Json = dict[str, Any]


@pytest.fixture(scope="module")
def portfolio_folder(ci: Circuits, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A proved ci epoch (id 8) with standard batches and a portfolio batch, as an epoch folder."""
    venue = sample_venue(14, seed=5, profile=ci.profile)
    accounts = with_portfolios(venue.params, venue.accounts, ci.profile)
    epoch, records = prove_epoch(venue.params, accounts, venue.reserves, ci.profile, ci.keys, 8, 5150)
    out = tmp_path_factory.mktemp("epochs") / "epoch-8"
    write_epoch(out, epoch, records, ci.margin)
    return out


def _records(folder: Path, margin: str) -> list[Json]:
    lines = (folder / RECORDS).read_text().splitlines()
    return [r for r in map(json.loads, lines) if r["account"]["margin"] == margin]


def _verify(folder: Path, record: Json, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    command = [CLI, "verify-account", str(path), "--epoch", str(folder), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def test_a_portfolio_account_reports_its_scenario_grid(
    portfolio_folder: Path, ci: Circuits, tmp_path: Path
) -> None:
    portfolio = _records(portfolio_folder, "portfolio")
    record = next(r for r in portfolio if any(int(v) for v in r["account"]["options"]))
    done = _verify(portfolio_folder, record, tmp_path, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    account = report["account"]
    assert report["valid"] and account["margin"] == "portfolio"
    epoch = epoch_from_json(json.loads((portfolio_folder / PUBLIC_EPOCH).read_text()))
    circuit = epoch.params.circuit(ci.profile)
    health = evaluate(record_from_json(record).account, circuit)
    assert health.scenario is not None
    grid = account["scenario_grid"]
    assert grid == scenario_grid(health.scenario, circuit.shocks).to_json()
    losses = [int(Decimal(s["loss_usd"]) * LOSS_SCALE) for s in grid["scenarios"]]
    assert losses == list(health.scenario.losses)
    assert grid["worst"] == health.scenario.worst and len(grid["scenarios"]) == 35
    figures = account["position_figures"]
    assert figures and all(p["initial_margin_usd"] is None for p in figures)
    assert all(p["maintenance_margin_usd"] is None for p in figures)
    assert all(p["value_usd"] and p["delta"] for p in figures)

    text = _verify(portfolio_folder, record, tmp_path)
    assert text.returncode == 0, text.stderr
    table = table_lines(scenario_grid(health.scenario, circuit.shocks), "    ")
    assert "\n".join(table) in text.stdout
    assert sum(line.count("*") for line in table[:-1]) == 1
    assert "a position has no IM or MM of its own" in text.stdout
    for p in figures:
        assert p["symbol"] in text.stdout


def test_a_standard_account_of_the_same_epoch_has_no_grid(portfolio_folder: Path, tmp_path: Path) -> None:
    record = _records(portfolio_folder, "standard")[0]
    done = _verify(portfolio_folder, record, tmp_path, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    account = json.loads(done.stdout)["account"]
    assert account["margin"] == "standard" and account["scenario_grid"] is None
    assert "scenario grid" not in _verify(portfolio_folder, record, tmp_path).stdout
