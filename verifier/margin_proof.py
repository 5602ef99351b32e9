"""An account margin proof as a file (zksolvency-margin-proof/2), and what its consumer checks.

The file carries the epoch it is about, its six public inputs (root, paramsHash, threshold, binding, scope,
nullifier) spelled out, the recipient and chain the binding stands for, the gate the scope stands for, and
the snarkjs proof.
"""

import re
from dataclasses import dataclass
from typing import Any

from .epoch import CheckFailed, Epoch
from .field import AMOUNT_BITS
from .formats import FormatError, Json
from .groth16 import MalformedProof, Proof, UnreadableProof, VerificationKey, verify
from .leaf import nullifier
from .records import InclusionRecord
from .statements import MarginStatement, binding, scope
from .vocabulary import checksum_address, field_hex, parse_address, selector, usd_price

MARGIN_PROOF_FORMAT = "zksolvency-margin-proof/2"
#: MarginGate's claimCredit(uint64 epochId, uint256[6] statement, bytes proof) (contracts/src/MarginGate.sol).
CLAIM_SELECTOR = selector("claimCredit(uint64,uint256[6],bytes)")


@dataclass(frozen=True)
class MarginProofFile:
    """A margin proof and what it claims: free collateral >= threshold for some account of the epoch."""

    epoch_id: int
    statement: MarginStatement
    recipient: int
    chain_id: int
    gate: int
    public_inputs: tuple[int, ...]
    proof: Proof

    def to_json(self) -> Json:
        """The file's JSON form; integers that may pass 2^53 as decimal strings."""
        s = self.statement
        return {
            "format": MARGIN_PROOF_FORMAT,
            "epoch_id": self.epoch_id,
            "root": str(s.root),
            "params_hash": str(s.params_hash),
            "threshold": str(s.threshold),
            "threshold_usd": usd_price(s.threshold),
            "recipient": checksum_address(self.recipient),
            "chain_id": self.chain_id,
            "gate": checksum_address(self.gate),
            "scope": str(s.scope),
            "nullifier": str(s.nullifier),
            "public_inputs": [str(x) for x in self.public_inputs],
            "proof": self.proof.to_snarkjs(),
        }

    def calldata(self) -> bytes:
        """The ABI-encoded call MarginGate.claimCredit(epochId, statement, proof) that redeems this proof;
        it must be sent from the recipient to the gate, on the chain the proof is bound to."""
        head = [self.epoch_id, *self.public_inputs, 32 * 8, len(proof := self.proof.to_bytes())]
        return CLAIM_SELECTOR + b"".join(x.to_bytes(32, "big") for x in head) + proof

    @classmethod
    def from_json(cls, doc: Any) -> "MarginProofFile":
        """Parse the file; FormatError names the first missing or malformed field."""

        def field(name: str, kind: type) -> Any:
            if not isinstance(doc, dict) or name not in doc:
                raise FormatError(f"{name}: missing")
            value = doc[name]
            try:
                if kind is int:
                    if isinstance(value, bool) or not isinstance(value, int | str):
                        raise ValueError(f"expected an integer, got a {type(value).__name__}")
                    if isinstance(value, str) and not re.fullmatch(r"[0-9]{1,80}|0x[0-9a-fA-F]{1,64}", value):
                        raise ValueError("expected an integer: decimal digits (or 0x and hex digits)")
                    return int(value, 0) if isinstance(value, str) else value
                if not isinstance(value, kind):
                    raise ValueError(f"expected {kind.__name__}")
                return value
            except ValueError as exc:
                raise FormatError(f"{name}: {exc}") from None

        if field("format", str) != MARGIN_PROOF_FORMAT:
            raise FormatError(f"format: expected {MARGIN_PROOF_FORMAT}")
        inputs = field("public_inputs", list)
        if len(inputs) != 6 or not all(isinstance(x, str) and x.isdigit() for x in inputs):
            raise FormatError("public_inputs: expected six decimal strings")
        try:
            recipient = parse_address(field("recipient", str), "recipient")
            gate = parse_address(field("gate", str), "gate")
        except ValueError as exc:
            raise FormatError(str(exc)) from None
        try:
            proof = Proof.from_snarkjs(field("proof", dict))
        except MalformedProof as exc:
            proof = UnreadableProof.because(str(exc))
        statement = MarginStatement(
            field("root", int),
            field("params_hash", int),
            field("threshold", int),
            0,
            field("scope", int),
            field("nullifier", int),
        )
        return cls(
            field("epoch_id", int),
            statement,
            recipient,
            field("chain_id", int),
            gate,
            tuple(int(x) for x in inputs),
            proof,
        )


def check_margin_proof(
    file: MarginProofFile,
    epoch: Epoch,
    key: VerificationKey,
    opening: tuple[InclusionRecord, int] | None = None,
    gate: tuple[int, int] | None = None,
) -> list[str]:
    """The consumer's checks of a margin proof against a verified epoch; CheckFailed names the first failure.

    `key` is the epoch's margin verification key (hash-checked by the caller). With `opening` (the trader's
    record and holder secret), also that the proof is about the record's account (its nullifier). With
    `gate` (chain id, gate address), that the proof's nullifier is scoped to that gate: a consumer passes
    its own. Returns the names of the checks passed.
    """
    s = file.statement
    passed = []

    def check(name: str, ok: bool, why: str) -> None:
        if not ok:
            raise CheckFailed(name, why)
        passed.append(name)

    check(
        "margin proof epoch",
        file.epoch_id == epoch.epoch_id,
        f"it is about epoch {file.epoch_id}, not epoch {epoch.epoch_id}",
    )
    check(
        "margin proof root",
        s.root == epoch.root,
        f"it is about account root {field_hex(s.root)}, not the epoch's {field_hex(epoch.root)}",
    )
    check(
        "margin proof parameters",
        s.params_hash == epoch.params_hash,
        f"it uses parameters {field_hex(s.params_hash)}, not the epoch's {field_hex(epoch.params_hash)}",
    )
    try:
        expected = binding(file.recipient, file.chain_id)
    except ValueError as exc:
        raise CheckFailed("margin proof binding", str(exc)) from None
    check("margin proof threshold", 0 <= s.threshold < 2**AMOUNT_BITS, "the threshold is not below 2^64")
    try:
        where = scope(file.gate, file.chain_id)
    except ValueError as exc:
        raise CheckFailed("margin proof scope", str(exc)) from None
    if gate is not None:
        chain_id, address = gate
        check(
            "margin proof scope",
            (file.chain_id, file.gate) == (chain_id, address),
            f"its nullifier is scoped to gate {checksum_address(file.gate)} on chain {file.chain_id}, not to "
            f"gate {checksum_address(address)} on chain {chain_id}",
        )
    statement = (s.root, s.params_hash, s.threshold, expected, where, s.nullifier)
    check(
        "margin proof statement",
        file.public_inputs == statement,
        "its public inputs are not (root, params hash, threshold, recipient + 2^160 chain id, "
        "gate + 2^160 chain id, nullifier)",
    )
    try:
        valid, why = verify(key, file.proof, list(file.public_inputs)), "the pairing check fails"
    except MalformedProof as exc:
        valid, why = False, f"malformed: {exc}"
    check("margin proof pairing", valid, why)
    if opening is not None:
        record, secret = opening
        check(
            "margin proof account",
            s.nullifier == nullifier(record.account, record.salt, secret, where),
            "its nullifier is not your account's: the proof is about another account",
        )
    return passed
