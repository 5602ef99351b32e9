"""Setup kind honesty: "ceremony" is accepted only for keys that a known ceremony made."""

import dataclasses
import hashlib
import json
from pathlib import Path

import pytest
from conftest import Circuits

from zksolvency.prover.epoch import prove_epoch
from zksolvency.prover.sample import sample_venue
from zksolvency.verifier.ceremonies import (
    CeremonyError,
    CeremonyReference,
    KnownCeremony,
    from_folder,
    parse_list,
    pinned,
)
from zksolvency.verifier.epoch import Epoch, verify_epoch
from zksolvency.verifier.formats import epoch_from_json, epoch_to_json
from zksolvency.verifier.groth16 import key_hash

TRANSCRIPT = hashlib.sha256(b"transcript.json of a closed ceremony").hexdigest()


@pytest.fixture(scope="module")
def epoch(ci: Circuits) -> Epoch:
    venue = sample_venue(6, seed=4, profile=ci.profile)
    proved, _ = prove_epoch(
        venue.params,
        venue.accounts,
        venue.reserves,
        ci.profile,
        ci.keys,
        3,
        12345,
    )
    return proved


def as_ceremony(epoch: Epoch) -> Epoch:
    return dataclasses.replace(epoch, setup_kind="ceremony", ceremony=CeremonyReference(TRANSCRIPT))


def known(epoch: Epoch, **changes: object) -> KnownCeremony:
    keys = {kind: key_hash(key) for kind, key in epoch.verification_keys.items()}
    return dataclasses.replace(KnownCeremony(TRANSCRIPT, epoch.profile.name, keys, "a test list"), **changes)


def test_the_pinned_list_ships_and_is_empty_for_now() -> None:
    assert pinned() == []


def test_development_keys_are_valid_and_unsafe(epoch: Epoch) -> None:
    audit = verify_epoch(epoch)
    assert audit.valid and epoch.unsafe and audit.passed[:3] == ["profile", "verification keys", "setup"]


def test_ceremony_keys_of_a_known_ceremony_are_accepted(epoch: Epoch) -> None:
    claimed = as_ceremony(epoch)
    assert not claimed.unsafe
    audit = verify_epoch(claimed, [known(epoch)])
    assert audit.valid, audit.failure


@pytest.mark.parametrize(
    ("ceremonies", "message"),
    [
        ("none", "not a known ceremony"),
        ("other keys", "the batch verification key is not the key of ceremony"),
        ("other profile", "keys are for profile reference"),
    ],
)
def test_ceremony_claims_that_do_not_hold_are_refused(epoch: Epoch, ceremonies: str, message: str) -> None:
    other = {"batch": "0" * 64, "margin": key_hash(epoch.verification_keys["margin"])}
    listed = {
        "none": [],
        "other keys": [known(epoch, keys=other)],
        "other profile": [known(epoch, profile="reference")],
    }[ceremonies]
    audit = verify_epoch(as_ceremony(epoch), listed)
    assert audit.failed_check == "setup" and message in (audit.failure or "")


def test_ceremony_without_a_transcript_and_unknown_kinds_are_refused(epoch: Epoch) -> None:
    bare = dataclasses.replace(epoch, setup_kind="ceremony")
    assert verify_epoch(bare, [known(epoch)]).failed_check == "setup"
    odd = verify_epoch(dataclasses.replace(epoch, setup_kind="trusted"))
    assert odd.failed_check == "setup" and "unknown setup kind" in (odd.failure or "")


def test_the_document_carries_key_hashes_and_the_transcript(epoch: Epoch) -> None:
    doc = json.loads(json.dumps(epoch_to_json(as_ceremony(epoch))))
    assert doc["setup"] == {
        "kind": "ceremony",
        "unsafe": False,
        "keys": {kind: key_hash(key) for kind, key in epoch.verification_keys.items()},
        "ceremony": {"transcript_sha256": TRANSCRIPT},
    }
    read = epoch_from_json(doc)
    assert read.ceremony == CeremonyReference(TRANSCRIPT) and read.key_hashes == doc["setup"]["keys"]
    assert verify_epoch(read, [known(epoch)]).valid
    del doc["setup"]["keys"]
    missing = verify_epoch(epoch_from_json(doc), [known(epoch)])
    assert missing.failed_check == "verification keys" and "published batch key hash" in (
        missing.failure or ""
    )


def test_ceremony_lists_are_parsed_strictly() -> None:
    entry = {
        "transcript_sha256": TRANSCRIPT,
        "profile": "ci",
        "keys": {"batch": "a" * 64, "margin": "b" * 64},
    }
    assert parse_list({"format": "zksolvency-ceremonies/1", "ceremonies": [entry]}, "x")[0].profile == "ci"
    for bad in (
        {"format": "zksolvency-ceremonies/2", "ceremonies": []},
        {"format": "zksolvency-ceremonies/1", "ceremonies": [{**entry, "transcript_sha256": "abc"}]},
        {"format": "zksolvency-ceremonies/1", "ceremonies": [{**entry, "keys": {"batch": "a" * 64}}]},
    ):
        with pytest.raises(CeremonyError):
            parse_list(bad, "x")


def test_ceremony_folder_must_be_a_closed_ceremony(tmp_path: Path) -> None:
    with pytest.raises(CeremonyError, match=r"transcript\.json"):
        from_folder(tmp_path)
    (tmp_path / "transcript.json").write_text(json.dumps({"profile": "ci", "beacon": None}))
    with pytest.raises(CeremonyError, match="not closed"):
        from_folder(tmp_path)
    (tmp_path / "transcript.json").write_text(json.dumps({"profile": "ci", "beacon": {"value": "00"}}))
    with pytest.raises(CeremonyError, match=r"batch_final\.zkey: missing"):
        from_folder(tmp_path)
    (tmp_path / "batch").mkdir()
    (tmp_path / "batch" / "batch_final.zkey").write_bytes(b"not a zkey")
    with pytest.raises(CeremonyError, match=r"batch_final\.zkey"):
        from_folder(tmp_path)
