"""The phase-2 ceremony and the production path: one real ceremony for the ci profile (two contributions,
a beacon) made by tests/production_path.sh from the committed UNSAFE test-only powers of tau, shared by
the tests; transcript checks, key trust, snarkjs cross-check."""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import Circuits
from test_cli import CLI, run
from test_margin_circuit import signals_for

from zksolvency.api.publishing import Refused, check_upload
from zksolvency.prover.ceremony import Ceremony, CeremonyError, contribute, parse_beacon, sha256_file
from zksolvency.prover.keys import CircuitKeys, load_keys
from zksolvency.prover.proving import Prover
from zksolvency.prover.toolchain import node
from zksolvency.verifier.ceremonies import from_folder
from zksolvency.verifier.epoch import verify_epoch
from zksolvency.verifier.formats import PUBLIC_EPOCH, RECORDS, epoch_from_json
from zksolvency.verifier.groth16 import Proof
from zksolvency.verifier.groth16 import verify as groth16_verify

ROOT = Path(__file__).parents[1]
SNARKJS = ROOT / "node_modules" / "snarkjs" / "cli.js"
SCRIPT = ROOT / "tests" / "production_path.sh"
#: An UNSAFE powers of tau of 2^16 (the ci portfolio batch circuit has about 36,000 constraints), made once
#: with `zksolvency ceremony ptau` and committed so that CI does not spend an hour regenerating it.
PTAU = ROOT / "tests" / "data" / "UNSAFE_test_only_16.ptau"
PTAU_SHA256 = (ROOT / "tests" / "data" / "UNSAFE_test_only_16.ptau.sha256").read_text().split()[0]


@dataclass
class ProductionRun:
    """One run of tests/production_path.sh: its folder and what it printed."""

    work: Path
    output: str


@pytest.fixture(scope="module")
def production_run(tmp_path_factory: pytest.TempPathFactory) -> ProductionRun:
    """The production path as a newcomer runs it: one real ceremony that the other tests share."""
    work = tmp_path_factory.mktemp("production")
    result = subprocess.run(
        ["bash", str(SCRIPT), str(work)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
        env={**os.environ, "PTAU": str(PTAU)},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    return ProductionRun(work, output)


def test_the_committed_ptau_is_the_documented_one() -> None:
    assert sha256_file(PTAU) == PTAU_SHA256


def test_the_production_path_passes_end_to_end(production_run: ProductionRun) -> None:
    out = production_run.output
    for kind in ("batch", "margin"):  # `ceremony finish` verifies the whole transcript before exporting keys
        assert (
            f"{kind}: {kind}_final.zkey verifies with 3 contributions against the circuit and phase 1" in out
        )
    # No development-key warning ("UNSAFE: single-party ...") once the ceremony keys are in use; the sample's
    # traders' secrets are labelled UNSAFE too, without the colon.
    assert "keys: ceremony keys for profile ci" in out and "UNSAFE:" not in out.split("the epoch's audit")[1]
    assert "VALID" in out and "/: 200 text/html" in out and "margin proof written to margin-proof.json" in out
    assert "production path: every step passed" in out
    work = production_run.work
    assert (work / "ceremony" / "batch" / "batch_final.zkey").is_file() and not list(ROOT.glob("*.zkey"))
    transcript = json.loads((work / "ceremony" / "transcript.json").read_text())
    assert [c["name"] for c in transcript["contributions"]] == ["alice", "bob"]
    assert transcript["beacon"]["value"] == "5c7a1e0f" * 8  # written 0x..., kept as 64 hex digits
    handout = work / "handout"
    assert handout.stat().st_mode & 0o077 == 0 and all(
        p.stat().st_mode & 0o077 == 0 for p in handout.iterdir()
    )


def test_prove_refuses_ceremony_keys_of_an_unknown_ceremony_before_proving(
    production_run: ProductionRun, tmp_path: Path
) -> None:
    work = production_run.work
    secret = tmp_path / "s"
    secret.write_text("0x1234\n")
    args = ["prove", str(work / "snapshot"), "--keys", str(work / "keys"), "--out", str(tmp_path / "e")]
    result = run(*args, "--secret", str(secret))
    assert (
        result.returncode == 2
        and "which is not a known ceremony: pass its folder with --ceremony" in result.stderr
    )
    assert not (tmp_path / "e").exists() and not (tmp_path / "e.work").exists()


def test_the_api_publishes_a_ceremony_epoch_only_for_a_ceremony_it_knows(
    production_run: ProductionRun,
) -> None:
    work = production_run.work
    document = json.loads((work / "epoch" / PUBLIC_EPOCH).read_text())
    records = (work / "epoch" / RECORDS).read_text()
    with pytest.raises(Refused, match="not a known ceremony") as refused:
        check_upload(document, records)  # the pinned list only
    assert refused.value.status == 422
    assert check_upload(document, records, [from_folder(work / "ceremony")]).epoch.epoch_id == 4711


def test_a_key_that_skips_a_contribution_is_caught(production_run: ProductionRun, tmp_path: Path) -> None:
    ceremony = Ceremony.open(production_run.work / "ceremony")
    transcript = json.loads(json.dumps(ceremony.transcript))
    transcript["beacon"] = None
    (tmp_path / "transcript.json").write_text(json.dumps(transcript))
    for kind in ("batch", "margin"):
        (tmp_path / kind).mkdir()
        shutil.copyfile(ceremony.zkey(kind, 2), tmp_path / kind / f"{kind}_0002.zkey")
    shutil.copyfile(ceremony.zkey("margin", 1), tmp_path / "margin" / "margin_0002.zkey")  # bob's -> alice's
    result = run("ceremony", "verify", str(tmp_path))
    # The circuits are checked at once; the forged margin key fails and stops the batch key's check.
    assert (
        result.returncode == 1 and "margin: the key's contributions are not the transcript's" in result.stderr
    )
    assert run("ceremony", "verify", str(tmp_path / "batch")).returncode == 1  # not a ceremony folder
    with pytest.raises(CeremonyError, match="closed by its beacon"):
        contribute(ceremony, "mallory")


def test_ceremony_epochs_need_their_ceremony_and_keys_do_not_mix(
    ci: Circuits, production_run: ProductionRun
) -> None:
    epoch = epoch_from_json(json.loads((production_run.work / "epoch" / PUBLIC_EPOCH).read_text()))
    assert epoch.setup_kind == "ceremony" and not epoch.unsafe
    unknown = verify_epoch(epoch)
    assert unknown.failed_check == "setup" and "not a known ceremony" in (unknown.failure or "")
    assert verify_epoch(epoch, [from_folder(production_run.work / "ceremony")]).valid
    # a development key does not verify proofs made with the ceremony key
    proof, statement = epoch.batches[0].proof, epoch.batches[0].statement
    assert not groth16_verify(ci.batch.verification_key, proof, statement.public_inputs)


def test_ceremony_commands_take_relative_paths_and_a_0x_beacon(tmp_path: Path) -> None:
    made = subprocess.run(
        [CLI, "ceremony", "ptau", "small.ptau", "--power", "8"], cwd=tmp_path, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    assert (
        "step 2/3: contribute" in made.stderr and "step 3/3: prepare" in made.stderr
    )  # progress, step by step
    assert (tmp_path / "small.ptau").is_file() and not (ROOT / "small.ptau").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["small.ptau"]  # no partial file left beside it
    again = subprocess.run(
        [CLI, "ceremony", "ptau", "small.ptau"], cwd=tmp_path, capture_output=True, text=True
    )
    assert again.returncode == 2 and "exists" in again.stderr
    assert parse_beacon("0x" + "AB" * 32) == "ab" * 32
    with pytest.raises(CeremonyError, match="64 hex digits"):
        parse_beacon("0x1234")
    # a phase-1 file too small for the ci circuits: exit 2 with snarkjs' reason, and no half-made folder
    failed = subprocess.run(
        [CLI, "ceremony", "start", "c", "--ptau", "small.ptau", "--profile", "ci"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 2 and "snarkjs groth16 setup failed" in failed.stderr, failed.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.ptau"]


@pytest.fixture(scope="module")
def production(production_run: ProductionRun) -> dict[str, CircuitKeys]:
    return {kind: load_keys(production_run.work / "keys" / kind) for kind in ("batch", "margin")}


@pytest.fixture(scope="module")
def ceremony(production_run: ProductionRun) -> Ceremony:
    return Ceremony.open(production_run.work / "ceremony")


def test_proofs_cross_verify_between_groth16py_and_snarkjs(
    ci: Circuits, production: dict[str, CircuitKeys], ceremony: Ceremony, tmp_path: Path
) -> None:
    keys = production["margin"]
    signals, public = signals_for(ci, 5, 1_000 * 10**8)
    prover = Prover(keys)
    wtns = prover.witness(signals)
    (tmp_path / "w.wtns").write_bytes(wtns)
    (tmp_path / "public.json").write_text(json.dumps([str(x) for x in public]))
    (tmp_path / "vk.json").write_text(json.dumps(keys.verification_key))

    ours = prover.prove_wtns(wtns)  # groth16py with the imported ceremony .zkey -> snarkjs verifies
    (tmp_path / "ours.json").write_text(json.dumps(ours.to_snarkjs()))
    snark = [node(), str(SNARKJS), "groth16"]
    checked = subprocess.run(
        [
            *snark,
            "verify",
            str(tmp_path / "vk.json"),
            str(tmp_path / "public.json"),
            str(tmp_path / "ours.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "OK!" in checked.stdout, checked.stdout + checked.stderr

    made = subprocess.run(
        [
            *snark,
            "prove",
            str(ceremony.zkey("margin", "final")),
            str(tmp_path / "w.wtns"),
            str(tmp_path / "theirs.json"),
            str(tmp_path / "their_public.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    theirs = Proof.from_snarkjs(json.loads((tmp_path / "theirs.json").read_text()))
    assert json.loads((tmp_path / "their_public.json").read_text()) == [str(x) for x in public]
    assert groth16_verify(keys.verification_key, theirs, public)  # snarkjs proof -> groth16py verifies
    assert not groth16_verify(keys.verification_key, theirs, [public[0] + 1, *public[1:]])
