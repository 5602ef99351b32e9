"""`zksolvency verify`, `verify-account` and `prove-account`, run as real processes on a proved epoch folder.

Each tampering is made in the published JSON, as an attacker would, and must be rejected (exit 1) by the
check that names it; unreadable input exits 2.
"""

import copy
import dataclasses
import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Circuits
from eth_abi import encode as abi_encode
from eth_utils import function_signature_to_4byte_selector
from test_groth16 import twist_point_outside_g2

from zksolvency.prover.epoch import prove_epoch
from zksolvency.prover.publish import AT_RISK, write_epoch
from zksolvency.prover.sample import CRASH, sample_holder_secret, sample_venue
from zksolvency.verifier.epoch import CheckFailed, check_keys
from zksolvency.verifier.formats import MARGIN_KIT, PUBLIC_EPOCH, RECORDS, epoch_from_json
from zksolvency.verifier.groth16 import Proof, key_hash
from zksolvency.verifier.holder import write_holder_secret
from zksolvency.verifier.margin import evaluate
from zksolvency.verifier.margin_proof import MarginProofFile, check_margin_proof

CLI = str(Path(sys.executable).parent / "zksolvency")
SECRET = 987654321
RECIPIENT = "0x00000000000000000000000000000000DeaDBeef"
GATE = "0x0000000000000000000000000000000000C0FFEE"
Json = dict[str, Any]


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=600, check=False)


def run_json(*args: str | Path) -> tuple[int, Json]:
    result = run(*args, "--json")
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)


@pytest.fixture(scope="module")
def folder(ci: Circuits, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A proved ci epoch (id 7, 14+ accounts, 4+ batches) written as an epoch folder."""
    venue = sample_venue(14, seed=3, profile=ci.profile)
    keys = ci.keys
    epoch, records = prove_epoch(venue.params, venue.accounts, venue.reserves, ci.profile, keys, 7, SECRET)
    out = tmp_path_factory.mktemp("epochs") / "epoch-7"
    write_epoch(out, epoch, records, ci.margin)
    return out


@pytest.fixture(scope="module")
def document(folder: Path) -> Json:
    return json.loads((folder / PUBLIC_EPOCH).read_text())


@pytest.fixture(scope="module")
def records(folder: Path) -> list[Json]:
    return [json.loads(line) for line in (folder / RECORDS).read_text().splitlines()]


def secret_of(tmp: Path, record: Json) -> Path:
    """The record's trader's holder secret (the sample's, seed 3) in a file under `tmp`."""
    account_id = record["account"]["account_id"]
    path = tmp / f"{account_id}.secret"
    if not path.exists():
        write_holder_secret(path, sample_holder_secret(3, account_id))
    return path


def trader(tmp: Path, record: Json) -> list[str | Path]:
    """prove-account's --secret (the record's trader's) and --gate options."""
    return ["--secret", secret_of(tmp, record), "--gate", GATE]


def write(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return path


# -- zksolvency verify ---------------------------------------------------------------------------------


def test_valid_epoch_folder(folder: Path, document: Json) -> None:
    """Every check of the epoch passes; with no custody declarations (tests/test_reserves.py has them)
    nothing is proven, so the first asset with net liabilities fails the reserve proof."""
    code, report = run_json("verify", folder)
    assert code == 1 and report["valid"] is False and report["failed_check"].startswith("proven reserves")
    names = [c["check"] for c in report["checks"]]
    assert names[:3] == ["profile", "verification keys", "setup"] and "margin kit" in names
    assert all(c["ok"] for c in report["checks"][:-1]) and not report["checks"][-1]["ok"]
    assert f"batch {len(document['batches']) - 1} chain" in names and "account root" in names
    assert report["setup"]["kind"] == "development" and report["setup"]["unsafe"] is True
    assert set(report["setup"]["keys"]) == {"batch", "margin"}
    assert [row["asset"] for row in report["coverage"]] == ["USDT", "BTC", "ETH"]
    assert all(row["proven"] == "0" and row["unproven"] == row["declared"] for row in report["coverage"])


def test_text_report_names_checks_coverage_and_unsafe_keys(folder: Path) -> None:
    result = run("verify", folder / PUBLIC_EPOCH)
    assert result.returncode == 1, result.stderr
    assert "UNSAFE" in result.stdout and "INVALID: proven reserves" in result.stdout
    assert "ok    account root" in result.stdout and "coverage" in result.stdout


def changed_total(doc: Json) -> None:
    doc["final_state"]["debt"][0] = str(int(doc["final_state"]["debt"][0]) + 1)


def flipped_proof_byte(doc: Json) -> None:
    data = bytearray(Proof.from_snarkjs(doc["batches"][0]["proof"]).to_bytes())
    data[40] ^= 1
    doc["batches"][0]["proof"] = Proof.from_bytes(bytes(data)).to_snarkjs()


def proof_not_affine(doc: Json) -> None:
    doc["batches"][2]["proof"]["pi_a"][2] = "2"


def swapped_batches(doc: Json) -> None:
    doc["batches"][0], doc["batches"][1] = doc["batches"][1], doc["batches"][0]


def dropped_batch(doc: Json) -> None:
    del doc["batches"][1]


def repeated_batch(doc: Json) -> None:
    doc["batches"].insert(0, doc["batches"][0])


def changed_price(doc: Json) -> None:
    doc["params"]["assets"][1]["price"] = str(int(doc["params"]["assets"][1]["price"]) + 1)


def wrong_root(doc: Json) -> None:
    doc["root"] = str(int(doc["root"]) + 1)


def short_reserves(doc: Json) -> None:
    doc["reserves"][0] = "0"


def development_key_as_ceremony(doc: Json) -> None:
    doc["setup"]["kind"] = "ceremony"
    doc["setup"]["unsafe"] = False
    doc["setup"]["ceremony"] = {"transcript_sha256": hashlib.sha256(b"a ceremony nobody ran").hexdigest()}


def ceremony_without_transcript(doc: Json) -> None:
    doc["setup"]["kind"] = "ceremony"


def other_key_same_hash(doc: Json) -> None:
    ic = doc["verification_keys"]["batch"]["IC"]
    ic[1], ic[2] = ic[2], ic[1]


def other_profile(doc: Json) -> None:
    doc["profile"]["tree_depth"] = 4


TAMPERING: dict[str, tuple[Callable[[Json], None], str]] = {
    "changed total": (changed_total, "final state"),
    "flipped proof byte": (flipped_proof_byte, "batch 0 proof"),
    "proof not affine (z = 2)": (proof_not_affine, "batch 2 proof"),
    "two batches swapped": (swapped_batches, "batch 0 index"),
    "batch dropped": (dropped_batch, "batch 1 index"),
    "batch repeated": (repeated_batch, "batch 1 index"),
    "price changed": (changed_price, "parameter hash"),
    "root mismatch": (wrong_root, "account root"),
    "reserves short": (short_reserves, "reserves USDT"),
    "development key presented as a ceremony key": (development_key_as_ceremony, "setup"),
    "ceremony without transcript": (ceremony_without_transcript, "setup"),
    "key changed under its published hash": (other_key_same_hash, "verification keys"),
    "profile sizes changed": (other_profile, "profile"),
}


@pytest.mark.parametrize("name", TAMPERING)
def test_tampered_epoch_is_rejected_with_the_right_check(document: Json, tmp_path: Path, name: str) -> None:
    change, check = TAMPERING[name]
    doc = copy.deepcopy(document)
    change(doc)
    code, report = run_json("verify", write(tmp_path / "epoch.json", doc))
    assert code == 1 and report["valid"] is False
    assert report["failed_check"] == check, report["failure"]
    assert report["checks"][-1] == {"check": check, "ok": False, "why": report["failure"][len(check) + 2 :]}


def test_failure_is_named_in_the_text_report(document: Json, tmp_path: Path) -> None:
    doc = copy.deepcopy(document)
    flipped_proof_byte(doc)
    result = run("verify", write(tmp_path / "epoch.json", doc))
    assert result.returncode == 1
    assert "FAIL  batch 0 proof: malformed" in result.stdout and "INVALID: batch 0 proof" in result.stdout


def test_margin_kit_with_another_key_is_rejected(folder: Path, ci: Circuits, tmp_path: Path) -> None:
    copied = tmp_path / "epoch"
    shutil.copytree(folder, copied)
    shutil.copyfile(
        ci.batch.directory / "verification_key.json", copied / MARGIN_KIT / "verification_key.json"
    )
    code, report = run_json("verify", copied)
    assert code == 1 and report["failed_check"] == "margin kit"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("missing", None),
        ("not JSON", "{ this is not json"),
        ("not an epoch", json.dumps({"format": "zksolvency-epoch/1"})),
        ("wrong format", json.dumps({"format": "something else"})),
        ("batch of the wrong shape", "BATCH"),
    ],
)
def test_unreadable_epoch_exits_2(document: Json, tmp_path: Path, name: str, content: str | None) -> None:
    path = tmp_path / "epoch.json"
    if content == "BATCH":
        doc = copy.deepcopy(document)
        doc["batches"][0]["statement"] = doc["batches"][0]["statement"][:4]
        write(path, doc)
    elif content is not None:
        write(path, content)
    result = run("verify", path)
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("error:") and "Traceback" not in result.stderr


def test_unreadable_ceremony_folder_exits_2(folder: Path, tmp_path: Path) -> None:
    result = run("verify", folder, "--ceremony", tmp_path)
    assert result.returncode == 2 and "transcript.json" in result.stderr


# -- zksolvency verify-account --------------------------------------------------------------------------


def test_trader_checks_their_own_account(folder: Path, records: list[Json], tmp_path: Path) -> None:
    record = records[5]
    code, report = run_json("verify-account", write(tmp_path / "record.json", record), "--epoch", folder)
    assert code == 0 and report["valid"] is True
    names = [c["check"] for c in report["checks"]]
    batch = record["index"] // 4
    for name in ("epoch id", "batch subtree", f"batch {batch} proof", "epoch root"):
        assert name in names
    account = report["account"]
    assert account["batch"] == batch and account["index"] == record["index"]
    assert set(account["balances"]) == {"USDT", "BTC", "ETH"}
    assert account["margin_class"] in ("healthy", "liquidatable", "bankrupt")
    assert account["healthy"] is (account["margin_class"] == "healthy")
    assert account["in_words"].startswith(account["margin_class"])
    assert report["seconds"] < 0.2


def test_text_report_says_what_was_proven(folder: Path, records: list[Json], tmp_path: Path) -> None:
    result = run(
        "verify-account", write(tmp_path / "record.json", records[2]), "--epoch", folder / PUBLIC_EPOCH
    )
    assert result.returncode == 0, result.stderr
    for words in (
        "What the epoch proves",
        "free collateral",
        "maintenance margin",
        "class: healthy",
        "VALID",
    ):
        assert words in result.stdout


def balance_changed(record: Json, doc: Json) -> None:
    record["account"]["balances"][0] = str(int(record["account"]["balances"][0]) + 1)


def other_epoch(record: Json, doc: Json) -> None:
    record["epoch_id"] = 8


def index_past_the_batches(record: Json, doc: Json) -> None:
    record["index"] = len(doc["batches"]) * 4


def epoch_root_changed(record: Json, doc: Json) -> None:
    doc["root"] = str(int(doc["root"]) + 1)


def batch_proof_swapped(record: Json, doc: Json) -> None:
    batch = record["index"] // 4
    doc["batches"][batch]["proof"] = doc["batches"][batch - 1]["proof"]


ACCOUNT_TAMPERING: dict[str, tuple[Callable[[Json, Json], None], str]] = {
    "a record with one balance changed": (balance_changed, "batch subtree"),
    "a record from another epoch": (other_epoch, "epoch id"),
    "an index past the proven batches": (index_past_the_batches, "index"),
    "a root that does not match": (epoch_root_changed, "epoch root"),
    "another batch's proof": (batch_proof_swapped, "batch 1 proof"),
}


@pytest.mark.parametrize("name", ACCOUNT_TAMPERING)
def test_tampered_account_check_is_rejected(
    document: Json, records: list[Json], tmp_path: Path, name: str
) -> None:
    change, check = ACCOUNT_TAMPERING[name]
    record, doc = copy.deepcopy(records[5]), copy.deepcopy(document)
    assert record["index"] // 4 == 1
    change(record, doc)
    code, report = run_json(
        "verify-account",
        write(tmp_path / "record.json", record),
        "--epoch",
        write(tmp_path / "epoch.json", doc),
    )
    assert code == 1 and report["failed_check"] == check, report["failure"]


def test_unreadable_record_exits_2(folder: Path, records: list[Json], tmp_path: Path) -> None:
    assert run("verify-account", tmp_path / "missing.json", "--epoch", folder).returncode == 2
    broken = {k: v for k, v in records[0].items() if k != "salt"}
    result = run("verify-account", write(tmp_path / "record.json", broken), "--epoch", folder)
    assert result.returncode == 2 and "salt" in result.stderr


# -- zksolvency prove-account and margin proofs -----------------------------------------------------------


@pytest.fixture(scope="module")
def margin_proof(folder: Path, records: list[Json], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A margin proof of 1,000.5 USD for record 5, made with the epoch's margin kit."""
    tmp = tmp_path_factory.mktemp("margin")
    record = write(tmp / "record.json", records[5])
    out = tmp / "proof.json"
    result = run(
        "prove-account", record, "--epoch", folder, "--threshold", "1000.5", "--recipient", RECIPIENT,
        "--chain-id", "10", *trader(tmp, records[5]), "--out", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


def test_margin_proof_file(margin_proof: Path, document: Json) -> None:
    doc = json.loads(margin_proof.read_text())
    assert doc["format"] == "zksolvency-margin-proof/2" and doc["epoch_id"] == 7
    assert doc["root"] == document["root"] and doc["params_hash"] == document["params_hash"]
    assert doc["threshold"] == str(100_050_000_000) and doc["threshold_usd"] == "1000.5"
    assert doc["recipient"] == RECIPIENT and doc["chain_id"] == 10  # EIP-55, as given
    assert doc["public_inputs"][2] == doc["threshold"] and doc["public_inputs"][5] == doc["nullifier"]
    assert int(doc["public_inputs"][3]) == int(RECIPIENT, 16) + (10 << 160)
    assert doc["gate"] == GATE and doc["public_inputs"][4] == doc["scope"] == str(int(GATE, 16) + (10 << 160))


def test_margin_proof_is_checked_with_the_account(
    folder: Path, records: list[Json], margin_proof: Path, tmp_path: Path
) -> None:
    record = write(tmp_path / "record.json", records[5])
    mine = ["--margin-proof", margin_proof, "--secret", secret_of(tmp_path, records[5])]
    code, report = run_json("verify-account", record, "--epoch", folder, *mine)
    assert code == 0, report["failure"]
    checks = {c["check"] for c in report["checks"]}
    assert {"holder", "margin proof pairing", "margin proof account"} <= checks
    assert report["margin_proof"]["threshold_usd"] == "1000.5" and report["margin_proof"]["gate"] == GATE
    # Without the secret nobody, the venue included, can tell whose proof it is.
    code, report = run_json("verify-account", record, "--epoch", folder, "--margin-proof", margin_proof)
    checks = {c["check"] for c in report["checks"]}
    assert code == 0 and "margin proof pairing" in checks and "margin proof account" not in checks
    other = write(tmp_path / "other.json", records[6])
    theirs = ["--margin-proof", margin_proof, "--secret", secret_of(tmp_path, records[6])]
    code, report = run_json("verify-account", other, "--epoch", folder, *theirs)
    assert code == 1 and report["failed_check"] == "margin proof account"
    # The trader's secret against a record whose leaf holds another commitment: the holder check fails.
    code, report = run_json(
        "verify-account", other, "--epoch", folder, "--secret", secret_of(tmp_path, records[5])
    )
    assert code == 1 and report["failed_check"] == "holder"


@pytest.mark.parametrize(
    ("field", "check"),
    [
        ("threshold", "margin proof pairing"),
        ("recipient", "margin proof statement"),
        ("gate", "margin proof statement"),
        ("epoch_id", "margin proof epoch"),
    ],
)
def test_tampered_margin_proof_is_rejected(
    folder: Path, records: list[Json], margin_proof: Path, tmp_path: Path, field: str, check: str
) -> None:
    doc = json.loads(margin_proof.read_text())
    if field == "threshold":  # claim more, consistently in the field and the public input
        doc["threshold"] = doc["public_inputs"][2] = str(int(doc["threshold"]) * 2)
    elif field in ("recipient", "gate"):
        doc[field] = "0x" + "11" * 20
    else:
        doc["epoch_id"] = 8
    record = write(tmp_path / "record.json", records[5])
    code, report = run_json(
        "verify-account", record, "--epoch", folder, "--margin-proof", write(tmp_path / "proof.json", doc)
    )
    assert code == 1 and report["failed_check"] == check, report["failure"]


def test_prove_account_refuses_what_it_cannot_prove(
    folder: Path, records: list[Json], tmp_path: Path
) -> None:
    record = write(tmp_path / "record.json", records[5])
    base = [
        "prove-account", record, "--epoch", folder, "--recipient", RECIPIENT, "--chain-id", "10",
        *trader(tmp_path, records[5]),
    ]  # fmt: skip
    too_much = run(*base, "--threshold", "1000000000", "--out", tmp_path / "p.json")
    assert too_much.returncode == 1 and "below the threshold" in too_much.stderr
    assert not (tmp_path / "p.json").exists()
    for threshold in ("1.123456789", "-5", "1e3", "ten"):
        assert run(*base, "--threshold", threshold).returncode == 2, threshold
    bad_recipient = ["prove-account", record, "--epoch", folder, "--threshold", "1", "--chain-id", "10"]
    assert run(*bad_recipient, *trader(tmp_path, records[5]), "--recipient", "0x1234").returncode == 2
    assert run(*base, "--threshold", "1", "--gate", "0x1234").returncode == 2
    stale = copy.deepcopy(records[5])
    stale["epoch_id"] = 8
    result = run(*base[:1], write(tmp_path / "stale.json", stale), *base[2:], "--threshold", "1")
    assert result.returncode == 1 and "epoch 8" in result.stderr


def test_prove_account_with_a_secret_that_is_not_the_records_exits_2_before_proving(
    folder: Path, records: list[Json], tmp_path: Path
) -> None:
    """The venue's attempt (it knows the record, not the secret), and a record without a commitment."""
    record = write(tmp_path / "record.json", records[5])
    wrong = tmp_path / "wrong.secret"
    write_holder_secret(wrong, sample_holder_secret(3, records[5]["account"]["account_id"]) + 1)
    args = [
        "prove-account", record, "--epoch", folder, "--recipient", RECIPIENT, "--chain-id", "10",
        "--threshold", "1", "--gate", GATE, "--out", tmp_path / "p.json",
    ]  # fmt: skip
    result = run(*args, "--secret", wrong)
    assert result.returncode == 2 and not (tmp_path / "p.json").exists()
    assert str(wrong) in result.stderr and "is not the holder commitment" in result.stderr
    assert records[5]["account"]["holder"] in result.stderr
    unregistered = copy.deepcopy(records[5])
    unregistered["account"]["holder"] = "0x" + "0" * 64
    result = run(*args[:1], write(tmp_path / "none.json", unregistered), *args[2:], "--secret", wrong)
    assert result.returncode == 2 and "no holder commitment" in result.stderr
    result = run(*args, "--secret", write(tmp_path / "garbage.secret", "0x12"))
    assert (
        result.returncode == 2
        and "garbage.secret" in result.stderr
        and "not a holder secret" in result.stderr
    )


def unproven_reserves_only(code: int, report: Json) -> None:
    """Every check of the epoch passed; only the reserves, with no custody declarations, are unproven."""
    assert code == 1 and report["failed_check"].startswith("proven reserves"), report["failure"]
    assert all(c["ok"] for c in report["checks"][:-1])


def test_book_is_reported_in_json(folder: Path) -> None:
    code, report = run_json("verify", folder)
    unproven_reserves_only(code, report)
    counts = [report[f"{c}_accounts"] for c in ("healthy", "liquidatable", "bankrupt")]
    assert all(isinstance(n, int) for n in counts) and sum(counts) % 4 == 0  # padding slots count as healthy
    for field in ("maintenance_shortfall_usd", "bad_debt_usd", "insurance_usd"):
        assert re.fullmatch(r"-?\d+(\.\d+)?", report[field]), report[field]


def test_bad_debt_beyond_the_fund_fails_verify_naming_the_check(ci: Circuits, tmp_path: Path) -> None:
    venue = sample_venue(16, seed=4, profile=ci.profile, stress=CRASH)
    assets = (dataclasses.replace(venue.params.assets[0], insurance=0), *venue.params.assets[1:])
    params = dataclasses.replace(venue.params, assets=assets)
    keys = ci.keys
    epoch, records = prove_epoch(params, venue.accounts, venue.reserves, ci.profile, keys, 9, SECRET)
    write_epoch(tmp_path / "epoch-9", epoch, records, ci.margin)
    at_risk = [json.loads(line) for line in (tmp_path / "epoch-9" / AT_RISK).read_text().splitlines()]
    classes = [evaluate(a, params.circuit(ci.profile)).margin_class for a in venue.accounts]
    assert [row["margin_class"] for row in at_risk] == [c for c in classes if c != "healthy"]
    code, report = run_json("verify", tmp_path / "epoch-9")
    assert code == 1 and report["failed_check"] == "insurance fund"
    assert report["bankrupt_accounts"] >= 1 and report["insurance_usd"] == "0"
    assert f"proven bad debt of {report['bad_debt_usd']} USD" in report["failure"]


# -- the JSON vocabulary (docs/json.md) ----------------------------------------------------------------

HASH = re.compile(r"0x[0-9a-f]{64}")
DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def assert_vocabulary(report: Json) -> None:
    """No grouped thousands anywhere; amounts, ratios and hashes in their one form."""
    assert not [s for s in strings(report) if re.search(r"[0-9],[0-9]", s)]
    for row in report.get("coverage", []):
        assert DECIMAL.fullmatch(row["net_liabilities"]) and DECIMAL.fullmatch(row["declared"])
        assert row["ratio"] is None or DECIMAL.fullmatch(row["ratio"])
    assert HASH.fullmatch(report["root"])
    assert all(HASH.fullmatch(h) for h in report["setup"]["keys"].values())
    account = report.get("account") or {}
    for name in ("haircut_equity_usd", "maintenance_margin_usd", "free_collateral_usd", "net_value_usd"):
        assert name not in account or DECIMAL.fullmatch(account[name])
    for amount in [*account.get("balances", {}).values(), *account.get("positions", {}).values()]:
        assert DECIMAL.fullmatch(amount)


def test_verify_json_speaks_the_vocabulary(folder: Path, document: Json) -> None:
    code, report = run_json("verify", folder)
    unproven_reserves_only(code, report)
    assert_vocabulary(report)
    assert int(report["root"], 16) == int(document["root"])
    assert int(report["params_hash"], 16) == int(document["params_hash"])
    assert report["setup"]["keys"]["batch"] == "0x" + document["setup"]["keys"]["batch"]
    text = run("verify", folder).stdout
    assert report["root"] in text  # the text output writes the root the same way


def test_verify_account_json_speaks_the_vocabulary(
    folder: Path, records: list[Json], margin_proof: Path, tmp_path: Path
) -> None:
    record = write(tmp_path / "record.json", records[5])
    code, report = run_json("verify-account", record, "--epoch", folder, "--margin-proof", margin_proof)
    assert code == 0
    assert_vocabulary(report)
    claim = report["margin_proof"]
    proof = json.loads(margin_proof.read_text())
    assert claim["recipient"] == RECIPIENT and int(claim["nullifier"], 16) == int(proof["nullifier"])
    assert HASH.fullmatch(claim["nullifier"]) and claim["threshold_usd"] == "1000.5"
    assert (
        report["account"]["holder"] == records[5]["account"]["holder"]
        and HASH.fullmatch(claim["gate"]) is None
    )
    text = run("verify-account", record, "--epoch", folder, "--margin-proof", margin_proof).stdout
    assert (
        claim["nullifier"] in text
        and report["root"] in text
        and RECIPIENT in text
        and report["account"]["holder"] in text
    )


def test_a_failed_reserves_check_is_in_units_with_both_values(document: Json, tmp_path: Path) -> None:
    doc = copy.deepcopy(document)
    doc["reserves"][0] = "150000000"  # 1.5 USDT, in quanta
    code, report = run_json("verify", write(tmp_path / "epoch.json", doc))
    assert code == 1 and report["failed_check"] == "reserves USDT"
    owed = next(row["net_liabilities"] for row in report["coverage"] if row["asset"] == "USDT")
    assert report["failure"] == f"reserves USDT: reserves 1.5 USDT are below net liabilities {owed} USDT"


def test_a_mismatch_shows_both_values(document: Json, tmp_path: Path) -> None:
    doc = copy.deepcopy(document)
    wrong_root(doc)
    code, report = run_json("verify", write(tmp_path / "epoch.json", doc))
    published = f"0x{int(doc['root']):064x}"
    computed = f"0x{int(document['root']):064x}"
    assert code == 1 and published in report["failure"] and computed in report["failure"]


def test_json_errors_are_json_on_stdout_with_the_exit_status(tmp_path: Path, folder: Path) -> None:
    for args in (
        ["verify", tmp_path / "missing"],
        ["verify", write(tmp_path / "broken.json", "{")],
        ["verify-account", tmp_path / "missing.json", "--epoch", folder],
        ["verify", "--no-such-option"],
        ["verify-account", tmp_path / "missing.json"],  # --epoch missing: a usage error
    ):
        result = run(*args, "--json")
        assert result.returncode == 2, result
        assert json.loads(result.stdout) == {
            "error": result.stderr.strip().removeprefix("error: "),
            "exit_status": 2,
        }


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and re.fullmatch(r"zksolvency \d+\.\d+\.\d+\S*\n", result.stdout)


def test_the_epoch_audit_checks_the_g2_subgroup_of_every_key_point(document: Json, tmp_path: Path) -> None:
    """A margin key whose delta is on the twist but outside G2, published under its own hash, is refused."""
    doc = copy.deepcopy(document)
    outside = twist_point_outside_g2()
    doc["verification_keys"]["margin"]["vk_delta_2"] = [[str(c) for c in xy] for xy in outside] + [["1", "0"]]
    doc["setup"]["keys"]["margin"] = key_hash(doc["verification_keys"]["margin"])
    code, report = run_json("verify", write(tmp_path / "epoch.json", doc))
    assert code == 1 and report["failed_check"] == "verification keys", report["failure"]
    assert "margin key" in report["failure"] and "subgroup" in report["failure"]


def test_prove_account_refuses_a_wrong_checksum_and_an_existing_out(
    folder: Path, records: list[Json], margin_proof: Path, tmp_path: Path
) -> None:
    record = write(tmp_path / "record.json", records[5])
    base = [
        "prove-account", record, "--epoch", folder, "--threshold", "1", "--chain-id", "10",
        *trader(tmp_path, records[5]),
    ]  # fmt: skip
    miscased = RECIPIENT.replace("DeaDBeef", "DeadBeef")
    result = run(*base, "--recipient", miscased, "--out", tmp_path / "p.json")
    assert result.returncode == 2 and "EIP-55" in result.stderr and RECIPIENT in result.stderr
    assert not (tmp_path / "p.json").exists()
    existing = write(tmp_path / "existing.json", "keep me")
    result = run(*base, "--recipient", RECIPIENT, "--out", existing)
    assert result.returncode == 2 and "exists" in result.stderr and existing.read_text() == "keep me"

    doc = json.loads(margin_proof.read_text())
    doc["recipient"] = miscased
    bad = write(tmp_path / "bad-proof.json", doc)
    result = run("verify-account", record, "--epoch", folder, "--margin-proof", bad)
    assert result.returncode == 2 and "EIP-55" in result.stderr


def test_prove_account_prints_the_margin_gate_calldata(
    folder: Path, records: list[Json], tmp_path: Path
) -> None:
    record = write(tmp_path / "record.json", records[5])
    out = write(tmp_path / "proof.json", "an older proof")
    result = run(
        "prove-account", record, "--epoch", folder, "--threshold", "1000.5", "--recipient", RECIPIENT,
        "--chain-id", "10", *trader(tmp_path, records[5]), "--out", out, "--force", "--calldata", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    doc = json.loads(out.read_text())
    assert report["recipient"] == RECIPIENT and int(report["nullifier"], 16) == int(doc["nullifier"])
    # The same call encoded by eth-abi and eth-utils, for the signature MarginGate.sol declares.
    source = (Path(__file__).parents[1] / "contracts" / "src" / "MarginGate.sol").read_text()
    assert (
        "function claimCredit(uint64 epochId, uint256[6] calldata statement, bytes calldata proof)" in source
    )
    proof = Proof.from_snarkjs(doc["proof"]).to_bytes()
    expected = function_signature_to_4byte_selector("claimCredit(uint64,uint256[6],bytes)") + abi_encode(
        ["uint64", "uint256[6]", "bytes"], [doc["epoch_id"], [int(x) for x in doc["public_inputs"]], proof]
    )
    assert report["calldata"] == "0x" + expected.hex()


def test_a_consumer_refuses_a_margin_proof_scoped_to_another_gate(margin_proof: Path, document: Json) -> None:
    """One nullifier, two scopes, in the Python check: a proof made for GATE is refused by another gate,
    also when its file and public inputs are rewritten to name that gate (the pairing then fails)."""
    epoch = epoch_from_json(document, with_batches=False)
    key = check_keys(epoch)["margin"]
    doc = json.loads(margin_proof.read_text())
    file = MarginProofFile.from_json(doc)
    assert "margin proof scope" in check_margin_proof(file, epoch, key, gate=(10, int(GATE, 16)))
    for chain_id, gate in ((10, int(GATE, 16) + 1), (11, int(GATE, 16))):
        with pytest.raises(CheckFailed, match="margin proof scope: its nullifier is scoped to gate"):
            check_margin_proof(file, epoch, key, gate=(chain_id, gate))
    other = int(GATE, 16) + 1
    moved = dict(doc, gate=f"0x{other:040x}", scope=str(other + (10 << 160)))
    moved["public_inputs"] = [*doc["public_inputs"][:4], moved["scope"], doc["public_inputs"][5]]
    with pytest.raises(CheckFailed, match="margin proof pairing"):
        check_margin_proof(MarginProofFile.from_json(moved), epoch, key, gate=(10, other))
