"""Proof of reserves: `zksolvency verify --rpc` against anvil nodes, custody funded and declarations signed.

The epoch is a real ci epoch; the custody wallets are anvil development accounts (UNSAFE keys) holding
DemoTokens and the native coin; every run of the CLI is a real process reading the node over JSON-RPC.
"""

import dataclasses
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from conftest import Circuits
from test_contracts_support import artifacts, sample_epoch

from zksolvency.contracts.anvil import FINALITY_DEPTH, Anvil, free_port
from zksolvency.contracts.custody import CustodyWallets, declare_custody, provision_custody, sign_declarations
from zksolvency.prover.publish import write_epoch
from zksolvency.verifier.amounts import format_scaled
from zksolvency.verifier.epoch import Epoch, net_liabilities
from zksolvency.verifier.field import QUANTA_PER_UNIT
from zksolvency.verifier.formats import PUBLIC_EPOCH, FormatError
from zksolvency.verifier.reserves import (
    NATIVE_DECIMALS,
    PUBLIC_RESERVES,
    Declarations,
    Holding,
    declarations_from_json,
    declarations_to_json,
    to_quanta,
)

CLI = str(Path(sys.executable).parent / "zksolvency")
VENUE = "sample venue (tests)"


@dataclass
class Reserves:
    """An epoch folder with reserves.json, on `node` (chain 31337); `other` is a node of chain 10."""

    folder: Path
    epoch: Epoch
    node: Anvil
    other: Anvil
    custody: CustodyWallets
    declarations: Declarations


@pytest.fixture(scope="module")
def r(ci: Circuits, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reserves]:
    epoch, records = sample_epoch(ci, 1)
    folder = tmp_path_factory.mktemp("reserves") / "epoch-1"
    write_epoch(folder, epoch, records, ci.margin)
    with Anvil() as node, Anvil(10) as other:
        chain = node.chain(artifacts(ci))
        insurance = epoch.params.assets[0].insurance  # the sample venue's declared fund, in its wallet
        custody = provision_custody(node, chain, epoch, epoch.reserves, insurance, chain.w3.eth.accounts[0])
        declarations = declare_custody(node, VENUE, epoch, custody)
        write(folder / PUBLIC_RESERVES, declarations)
        yield Reserves(folder, epoch, node, other, custody, declarations)


def write(path: Path, declarations: Declarations | dict[str, Any]) -> Path:
    doc = declarations if isinstance(declarations, dict) else declarations_to_json(declarations)
    path.write_text(json.dumps(doc))
    return path


def verify(r: Reserves, *args: str | Path, rpc: str | None = None) -> tuple[int, dict[str, Any], str]:
    command = [CLI, "verify", str(r.folder), "--json", "--rpc", rpc or f"31337={r.node.url}", *map(str, args)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    return result.returncode, json.loads(result.stdout) if result.stdout else {}, result.stderr


def test_reserves_are_proven_from_the_chain(r: Reserves) -> None:
    code, report, stderr = verify(r)
    assert code == 0, (report.get("failure"), stderr)
    names = [c["check"] for c in report["checks"]]
    assert "custody signatures" in names and "proven reserves BTC" in names
    owed = net_liabilities(r.epoch.params, r.epoch.final_state, r.epoch.profile)
    for row, declared, liabilities in zip(report["coverage"], r.epoch.reserves, owed, strict=True):
        proven = Fraction(row["proven"]) * QUANTA_PER_UNIT
        assert row["declared"] == format_scaled(declared, QUANTA_PER_UNIT)
        assert 0 <= proven - declared < 100  # funded in token base units, rounded up
        assert row["unproven"] == "0" and row["proven_covered"] is True
        if liabilities > 0:
            assert float(Fraction(row["coverage"])) == pytest.approx(float(proven / liabilities), rel=1e-5)
        else:
            assert row["coverage"] is None  # nothing owed
    fund = r.epoch.params.assets[0].insurance
    assert Fraction(report["coverage"][0]["insurance_proven"]) * QUANTA_PER_UNIT >= fund > 0
    assert report["coverage"][0]["insurance"] == format_scaled(fund, QUANTA_PER_UNIT)
    assert all(row["insurance_proven"] == "0" for row in report["coverage"][1:])
    assert "proven insurance USDT" in names


def test_an_asset_moved_away_before_the_pinned_block_fails_naming_it(r: Reserves, tmp_path: Path) -> None:
    owed = net_liabilities(r.epoch.params, r.epoch.final_state, r.epoch.profile)
    assets = zip(r.epoch.params.assets, owed, strict=True)
    symbol = next(a.symbol for a, o in assets if o > 0 and a.symbol != "ETH")
    token, wallet = r.custody.tokens[symbol], r.custody.reserve[symbol]
    assert token is not None
    snapshot = r.node.snapshot()
    try:
        w3 = r.node.web3()
        half = token.functions.balanceOf(wallet.address).call() // 2
        transfer = token.functions.transfer(w3.eth.accounts[1], half)
        tx = transfer.transact({"from": wallet.address, "gas": 100_000})
        w3.eth.wait_for_transaction_receipt(tx)
        declarations = declare_custody(r.node, VENUE, r.epoch, r.custody)
        code, report, _ = verify(r, "--reserves", write(tmp_path / "reserves.json", declarations))
    finally:
        r.node.revert(snapshot)
    assert code == 1 and report["failed_check"] == f"proven reserves {symbol}"
    row = next(row for row in report["coverage"] if row["asset"] == symbol)
    assert row["proven_covered"] is False and row["unproven"] != "0" and Fraction(row["coverage"]) < 1


def test_without_declarations_nothing_is_proven(r: Reserves, tmp_path: Path) -> None:
    code, report, _ = verify(r, "--reserves", tmp_path / "none.json")
    assert code == 2  # a file named explicitly must exist
    bare = tmp_path / "bare"
    (bare / "public").mkdir(parents=True)
    (bare / PUBLIC_EPOCH).write_text((r.folder / PUBLIC_EPOCH).read_text())
    result = subprocess.run([CLI, "verify", str(bare), "--json"], capture_output=True, text=True, check=False)
    report = json.loads(result.stdout)
    owed = net_liabilities(r.epoch.params, r.epoch.final_state, r.epoch.profile)
    first = next(a.symbol for a, o in zip(r.epoch.params.assets, owed, strict=True) if o > 0)
    assert result.returncode == 1 and report["failed_check"] == f"proven reserves {first}"
    assert all(row["proven"] == "0" and row["declared"] == row["unproven"] for row in report["coverage"])


def test_a_signature_by_another_key_is_refused(r: Reserves, tmp_path: Path) -> None:
    doc = declarations_to_json(r.declarations)
    first, second = doc["wallets"][0], doc["wallets"][1]
    first["signature"] = second["signature"]
    code, report, _ = verify(r, "--reserves", write(tmp_path / "reserves.json", doc))
    assert code == 1 and report["failed_check"] == "custody signatures"
    assert f"the signature of {first['address']} is by another key ({second['address']})" in report["failure"]


def test_a_message_for_another_epoch_is_refused(r: Reserves, tmp_path: Path) -> None:
    other = declare_custody(r.node, VENUE, dataclasses.replace(r.epoch, epoch_id=2), r.custody)
    doc = declarations_to_json(other)
    doc["epoch_id"] = 1
    code, report, _ = verify(r, "--reserves", write(tmp_path / "reserves.json", doc))
    assert code == 1 and report["failed_check"] == "custody signatures"
    assert "is for another epoch ('2', this epoch needs '1')" in report["failure"]
    doc = declarations_to_json(dataclasses.replace(r.declarations, venue="another venue"))
    code, report, _ = verify(r, "--reserves", write(tmp_path / "reserves.json", doc))
    assert code == 1 and "is for another venue" in report["failure"]


def test_a_node_of_another_chain_is_bad_input(r: Reserves) -> None:
    code, _, stderr = verify(r, rpc=f"31337={r.other.url}")
    assert code == 2 and f"chain 31337: the node at {r.other.url} serves chain 10" in stderr


def test_a_block_not_yet_final_is_bad_input(r: Reserves, tmp_path: Path) -> None:
    fresh = declare_custody(r.node, VENUE, r.epoch, r.custody, confirmations=0)
    code, _, stderr = verify(r, "--reserves", write(tmp_path / "reserves.json", fresh))
    assert code == 2 and f"chain 31337: block {fresh.blocks[31337]} is not final" in stderr


def test_an_unreachable_node_or_a_missing_rpc_is_bad_input(r: Reserves) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    code, _, stderr = verify(r, rpc=f"31337={url}")
    assert code == 2 and f"chain 31337: the node at {url} cannot be read" in stderr
    code, _, stderr = verify(r, rpc=f"10={r.other.url}")
    assert code == 2 and "chain 31337: no node given for it (--rpc 31337=URL)" in stderr
    code, _, stderr = verify(r, rpc="31337")
    assert code == 2 and "expected CHAIN_ID=http(s)://host:port" in stderr


def _doc() -> dict[str, Any]:
    address = "0x" + "11" * 20
    holding = {"asset": "USDT", "chain_id": 31337, "token": "0x" + "22" * 20}
    wallet = {"address": address, "role": "reserve", "message": "m", "signature": "0x", "holdings": [holding]}
    return {
        "format": "zksolvency-reserves/1",
        "venue": "v",
        "epoch_id": 1,
        "params_hash": "5",
        "blocks": {"31337": "7"},
        "wallets": [wallet],
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="other"), "x.json: format must be 'zksolvency-reserves/1'"),
        (lambda d: d.pop("blocks"), "x.json: missing field 'blocks'"),
        (lambda d: d["wallets"][0].update(address="0x12"), "x.json: wallets[0].address: not an EVM address"),
        (
            lambda d: d["wallets"][0].update(role="hot"),
            "wallet 0x1111111111111111111111111111111111111111: role",
        ),
        (
            lambda d: d["wallets"][0]["holdings"][0].update(chain_id=1),
            "holdings[0]: chain 1 has no pinned block",
        ),
        (lambda d: d["wallets"][0]["holdings"].append(d["wallets"][0]["holdings"][0]), "is declared twice"),
        (
            lambda d: d["blocks"].update({"31337": "-3"}),
            "x.json: blocks[31337]: expected a non-negative integer",
        ),
    ],
)
def test_a_malformed_declaration_is_named(change: Any, message: str) -> None:
    doc = _doc()
    declarations_from_json(doc, "x.json")  # the unchanged document parses
    change(doc)
    with pytest.raises(FormatError, match=re.escape(message)):
        declarations_from_json(doc, "x.json")


def test_a_malformed_file_exits_2_naming_it(r: Reserves, tmp_path: Path) -> None:
    doc = declarations_to_json(r.declarations)
    doc["wallets"][1]["holdings"][0]["asset"] = "DOGE"
    path = write(tmp_path / "reserves.json", doc)
    code, _, stderr = verify(r, "--reserves", path)
    address = r.declarations.wallets[1].address
    assert code == 2 and f"{path}: wallet {address} holds 'DOGE', not an asset of the epoch" in stderr
    path.write_text("{ not json")
    code, _, stderr = verify(r, "--reserves", path)
    assert code == 2 and f"{path}: not a JSON document" in stderr


def test_the_venue_prints_the_text_each_custody_key_signs(r: Reserves) -> None:
    command = [CLI, "reserves", "message", str(r.folder), "--venue", VENUE]
    result = subprocess.run([*command, "--role", "insurance"], capture_output=True, text=True, check=False)
    insurance = next(w for w in r.declarations.wallets if w.role == "insurance")
    assert result.returncode == 0 and result.stdout == insurance.message + "\n"
    result = subprocess.run([*command, "--json"], capture_output=True, text=True, check=False)
    assert json.loads(result.stdout)["message"] == r.declarations.wallets[0].message
    result = subprocess.run([*command, "--role", "hot"], capture_output=True, text=True, check=False)
    assert result.returncode == 2 and "--role 'hot'" in result.stderr


def test_the_text_report_shows_declared_and_proven_side_by_side(r: Reserves) -> None:
    command = [CLI, "verify", str(r.folder), "--rpc", f"31337={r.node.url}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    assert "ok    custody signatures" in result.stdout and "ok    proven reserves ETH" in result.stdout
    line = next(line for line in result.stdout.splitlines() if line.strip().startswith("BTC "))
    assert "declared" in line and "proven" in line and "coverage" in line
    assert result.stdout.rstrip().splitlines()[-1].startswith("VALID")


def test_holdings_on_two_chains_are_read_each_at_its_own_pinned_block(r: Reserves, tmp_path: Path) -> None:
    """ETH moves to chain 10: its balance is read there, at chain 10's pinned block, and only there."""
    eth = r.custody.reserve["ETH"]

    def moved(asset: str) -> int:
        return 10 if asset == "ETH" else 31337

    keys = {key.address: key for key in [*r.custody.reserve.values(), r.custody.insurance]}
    snapshots = r.node.snapshot(), r.other.snapshot()
    try:
        wei = r.node.web3().eth.get_balance(eth.address)
        r.other.set_balance(eth.address, wei)
        r.node.set_balance(eth.address, 0)
        r.node.mine(1)
        blocks = {31337: r.node.web3().eth.block_number, 10: r.other.web3().eth.block_number}
        wallets = [
            (keys[w.address], w.role, [Holding(h.asset, moved(h.asset), h.token) for h in w.holdings])
            for w in r.declarations.wallets
        ]
        declarations = sign_declarations(VENUE, r.epoch, wallets, blocks)
        r.node.mine(FINALITY_DEPTH)
        r.other.mine(FINALITY_DEPTH)
        path = write(tmp_path / "reserves.json", declarations)
        code, report, stderr = verify(r, "--reserves", path, "--rpc", f"10={r.other.url}")
        missing, _, missing_err = verify(r, "--reserves", path)
    finally:
        r.node.revert(snapshots[0])
        r.other.revert(snapshots[1])
    assert code == 0, (report.get("failure"), stderr)
    row = next(row for row in report["coverage"] if row["asset"] == "ETH")
    assert (
        Fraction(row["proven"]) * QUANTA_PER_UNIT == to_quanta(wei, NATIVE_DECIMALS) and row["proven_covered"]
    )
    assert missing == 2 and "chain 10: no node given for it (--rpc 10=URL)" in missing_err
