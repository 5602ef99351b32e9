"""The phase-2 ceremony: contributions, transcript checks, beacon, production keys; snarkjs cross-check."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import Circuits
from test_cli import run
from test_margin_circuit import signals_for

from zksolvency.prover.ceremony import (
    Ceremony,
    CeremonyError,
    contribute,
    export_keys,
    finish,
    local_powers_of_tau,
    start,
    verify,
)
from zksolvency.prover.epoch import EpochKeys, prove_epoch
from zksolvency.prover.keys import CircuitKeys
from zksolvency.prover.proving import Prover
from zksolvency.prover.sample import sample_venue
from zksolvency.prover.toolchain import BUILD, node
from zksolvency.verifier.ceremonies import from_folder
from zksolvency.verifier.epoch import verify_epoch
from zksolvency.verifier.groth16 import Proof
from zksolvency.verifier.groth16 import verify as groth16_verify

SNARKJS = Path(__file__).parents[1] / "node_modules" / "snarkjs" / "cli.js"
BEACON = "5c7a1e0f" * 8


@pytest.fixture(scope="session")
def ptau() -> Path:
    """An UNSAFE local powers of tau of 2^14 (the ci batch circuit has 9,875 constraints); kept in build/."""
    path = BUILD / "test-ptau" / "local_14.ptau"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        local_powers_of_tau(14, path.with_suffix(".partial"))
        path.with_suffix(".partial").rename(path)
    return path


@pytest.fixture(scope="module")
def ceremony(ci: Circuits, ptau: Path, tmp_path_factory: pytest.TempPathFactory) -> Ceremony:
    folder = tmp_path_factory.mktemp("ceremony")
    ceremony = start(folder, ci.profile, ptau)
    contribute(ceremony, "alice")
    contribute(ceremony, "bob", entropy="bob's dice rolls")
    return ceremony


def test_transcript_verifies_contribution_by_contribution(ceremony: Ceremony, tmp_path: Path) -> None:
    result = run("ceremony", "verify", str(ceremony.directory))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{kind}: {kind}_0002.zkey verifies with 2 contributions against the circuit and phase 1"
        for kind in ("batch", "margin")
    ]
    assert [c["name"] for c in ceremony.transcript["contributions"]] == ["alice", "bob"]
    assert run("ceremony", "verify", str(tmp_path)).returncode == 1


def test_a_key_that_skips_a_contribution_is_caught(ceremony: Ceremony, tmp_path: Path) -> None:
    forged = Ceremony(tmp_path, json.loads(json.dumps(ceremony.transcript)))
    for kind in ("batch", "margin"):
        (tmp_path / kind).mkdir()
        shutil.copyfile(ceremony.zkey(kind, 1), forged.zkey(kind, 2))  # bob's key replaced by alice's
    with pytest.raises(CeremonyError, match="contributions are not the transcript's"):
        verify(forged)


@pytest.fixture(scope="module")
def production(ceremony: Ceremony, tmp_path_factory: pytest.TempPathFactory) -> dict[str, CircuitKeys]:
    finish(ceremony, BEACON, iterations=10)
    with pytest.raises(CeremonyError, match="closed by its beacon"):
        contribute(ceremony, "mallory")
    return export_keys(ceremony, tmp_path_factory.mktemp("keys"))


def test_ceremony_keys_prove_an_epoch(
    ci: Circuits, production: dict[str, CircuitKeys], ceremony: Ceremony
) -> None:
    keys = EpochKeys(production["batch"], production["margin"])
    assert not keys.batch.unsafe and keys.batch.setup_kind == "ceremony"
    venue = sample_venue(6, seed=11, profile=ci.profile)
    epoch, _ = prove_epoch(venue.params, venue.accounts, venue.reserves, ci.profile, keys, 1, 99)
    assert epoch.setup_kind == "ceremony" and not verify_epoch(epoch).valid  # an unknown ceremony
    assert verify_epoch(epoch, [from_folder(ceremony.directory)]).valid
    # a development key does not verify proofs made with the ceremony key, nor the other way round
    proof, statement = epoch.batches[0].proof, epoch.batches[0].statement
    assert not groth16_verify(ci.batch.verification_key, proof, statement.public_inputs)


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
