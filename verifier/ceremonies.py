"""Which Groth16 keys come from a trusted-setup ceremony: the pinned list shipped with the package,
and ceremony folders that whoever runs the verifier vouches for (--ceremony DIR).

An epoch of setup kind "ceremony" names its ceremony by the SHA-256 of the ceremony's transcript.json
(`CeremonyReference`). The audit accepts it only if a known ceremony has that transcript hash, the
epoch's profile and exactly the epoch's verification keys (`groth16.key_hash`). Loading a ceremony
folder derives each circuit's verification key from its final .zkey (groth16py, no Node); it does not
re-run the contribution checks (snarkjs zkey verify, prover/ceremony.py): passing a folder vouches
for its transcript. Development keys are never a ceremony's.
"""

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import groth16py

from .groth16 import MalformedKey, key_hash

DEVELOPMENT = "development"
CEREMONY = "ceremony"
SETUP_KINDS = (DEVELOPMENT, CEREMONY)
#: How development keys are labelled wherever they appear.
UNSAFE_NOTE = (
    "UNSAFE: single-party development setup. Whoever ran it can forge any proof; "
    "never use these keys for funds."
)
#: The circuits a ceremony makes keys for.
CIRCUIT_KINDS = ("batch", "portfolio_batch", "margin")
LIST_FORMAT = "zksolvency-ceremonies/1"
TRANSCRIPT = "transcript.json"
_SHA256 = re.compile(r"[0-9a-f]{64}")


class CeremonyError(ValueError):
    """A ceremony list or folder that cannot be read; the message names the file and the field."""


@dataclass(frozen=True)
class CeremonyReference:
    """What an epoch of setup kind "ceremony" says about its keys' ceremony."""

    transcript_sha256: str
    """SHA-256 (hex) of the ceremony's transcript.json."""


@dataclass(frozen=True)
class KnownCeremony:
    """A ceremony whose keys this verifier accepts."""

    transcript_sha256: str
    profile: str
    keys: Mapping[str, str]
    """Circuit kind ("batch", "margin") -> SHA-256 of its canonical verification key."""
    source: str
    """Where it is known from: the pinned list or a folder."""


def is_sha256(value: Any) -> bool:
    """A lowercase hex SHA-256 digest."""
    return isinstance(value, str) and bool(_SHA256.fullmatch(value))


def _entry(doc: Any, source: str) -> KnownCeremony:
    if not isinstance(doc, dict):
        raise CeremonyError(f"{source}: a ceremony is a JSON object")
    keys = doc.get("keys")
    if not is_sha256(doc.get("transcript_sha256")):
        raise CeremonyError(f"{source}: transcript_sha256 must be a hex SHA-256")
    if not isinstance(doc.get("profile"), str):
        raise CeremonyError(f"{source}: profile must be a profile name")
    complete = isinstance(keys, dict) and set(keys) == set(CIRCUIT_KINDS)
    if not complete or not all(map(is_sha256, keys.values())):
        raise CeremonyError(f"{source}: keys must map {', '.join(CIRCUIT_KINDS)} to hex SHA-256 key hashes")
    return KnownCeremony(doc["transcript_sha256"], doc["profile"], dict(keys), source)


def parse_list(doc: Any, source: str) -> list[KnownCeremony]:
    """A ceremony list document (format zksolvency-ceremonies/1)."""
    if not isinstance(doc, dict) or doc.get("format") != LIST_FORMAT:
        raise CeremonyError(f"{source}: format must be {LIST_FORMAT}")
    entries = doc.get("ceremonies")
    if not isinstance(entries, list):
        raise CeremonyError(f"{source}: ceremonies must be a list")
    return [_entry(e, f"{source}: ceremonies[{i}]") for i, e in enumerate(entries)]


def pinned() -> list[KnownCeremony]:
    """The ceremonies pinned in the package (verifier/ceremonies.json)."""
    text = resources.files(__package__).joinpath("ceremonies.json").read_text()
    return parse_list(json.loads(text), "ceremonies.json")


def from_folder(directory: Path) -> KnownCeremony:
    """A closed ceremony folder: DIR/transcript.json (profile, beacon) and DIR/KIND/KIND_final.zkey.

    The key hashes are those of the verification keys in the final .zkey files.
    """
    path = directory / TRANSCRIPT
    try:
        data = path.read_bytes()
        transcript = json.loads(data)
    except (OSError, ValueError) as exc:
        raise CeremonyError(f"{path}: {exc}") from None
    if not isinstance(transcript, dict) or not isinstance(transcript.get("profile"), str):
        raise CeremonyError(f"{path}: profile: missing")
    if not transcript.get("beacon"):
        raise CeremonyError(f"{path}: the ceremony is not closed by its beacon")
    keys = {}
    for kind in CIRCUIT_KINDS:
        zkey = directory / kind / f"{kind}_final.zkey"
        if not zkey.is_file():
            raise CeremonyError(f"{zkey}: missing")
        try:
            _, verifying_key = groth16py.import_zkey(str(zkey))
            keys[kind] = key_hash(json.loads(verifying_key.to_json()))
        except (
            MalformedKey,
            ValueError,
            RuntimeError,
            OSError,
            groth16py.EncodingError,
            groth16py.SetupError,
        ) as exc:
            raise CeremonyError(f"{zkey}: {exc}") from None
    return KnownCeremony(hashlib.sha256(data).hexdigest(), transcript["profile"], keys, str(directory))


def find(reference: CeremonyReference, known: Sequence[KnownCeremony]) -> KnownCeremony | None:
    """The known ceremony with the reference's transcript hash, if any."""
    return next((c for c in known if c.transcript_sha256 == reference.transcript_sha256), None)
