"""Key trust, checked before any proving: keys that say they come from a ceremony must be the keys of
a ceremony the operator names (a closed ceremony folder) or that the package pins, exactly as the
epoch's audit (`verify_epoch`) and the API's publish step will check them afterwards."""

from collections.abc import Sequence

from zksolvency.verifier.ceremonies import CEREMONY, CIRCUIT_KINDS, KnownCeremony, find
from zksolvency.verifier.groth16 import key_hash

from .keys import CircuitKeys


class KeyTrustError(ValueError):
    """The keys are not trusted for this run; the message says which key and why."""


def check_key_trust(keys: dict[str, CircuitKeys], ceremonies: Sequence[KnownCeremony]) -> str:
    """KeyTrustError unless the keys of every circuit kind belong together and, for ceremony keys, are the
    keys of one of `ceremonies`. Returns a line saying what the keys are."""
    batch = keys["batch"]
    for kind in CIRCUIT_KINDS:
        other = keys[kind]
        if batch.circuit.profile.name != other.circuit.profile.name:
            raise KeyTrustError(
                f"{batch.directory} is for profile {batch.circuit.profile.name}, "
                f"{other.directory} for {other.circuit.profile.name}"
            )
        if batch.setup_kind != other.setup_kind or batch.ceremony != other.ceremony:
            raise KeyTrustError(f"{batch.directory} and {other.directory} do not come from the same setup")
    if batch.setup_kind != CEREMONY:
        return f"{batch.setup_kind} keys for profile {batch.circuit.profile.name}"
    reference = batch.ceremony
    assert reference is not None  # ceremony keys always name their transcript
    known = find(reference, ceremonies)
    if known is None:
        raise KeyTrustError(
            f"{batch.directory}: the keys come from ceremony transcript {reference.transcript_sha256}, "
            "which is not a known ceremony: pass its folder with --ceremony DIR "
            "(or pin it in verifier/ceremonies.json)"
        )
    if known.profile != batch.circuit.profile.name:
        raise KeyTrustError(
            f"ceremony {known.source} made keys for profile {known.profile}, "
            f"these are for {batch.circuit.profile.name}"
        )
    for kind in CIRCUIT_KINDS:
        if key_hash(keys[kind].verification_key) != known.keys[kind]:
            raise KeyTrustError(
                f"{keys[kind].directory}: the {kind} verification key is not "
                f"the key of ceremony {known.source}"
            )
    return f"ceremony keys for profile {known.profile} from {known.source}"
