"""`zksolvency prove-account`: a trader's margin proof, made on the trader's machine (pip only, no Node).

It reads the trader's record, holder secret and the epoch's margin kit (EPOCH/public/margin: margin.wasm
and proving_key.bin), checks that the secret opens the record's holder commitment and the record against the
epoch, proves that the account's free collateral is at least the threshold, with a nullifier scoped to the
gate that will spend it, verifies the proof, and writes a zksolvency-margin-proof/2 file.
Exit status: 0 written, 1 the account cannot make this proof, 2 bad input (a secret that is not the
record's included).
"""

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import groth16py
import typer

from zksolvency.verifier.amounts import parse_scaled
from zksolvency.verifier.ceremonies import CeremonyError, KnownCeremony, from_folder, pinned
from zksolvency.verifier.cli import EXIT_BAD_INPUT, EXIT_INVALID, CeremonyOption, JsonOption, fail
from zksolvency.verifier.documents import read_json
from zksolvency.verifier.epoch import CheckFailed, Epoch, check_keys, check_setup
from zksolvency.verifier.field import AMOUNT_BITS, PRICE_SCALE, THRESHOLD_TO_WEIGHTED
from zksolvency.verifier.formats import (
    MARGIN_KIT,
    FormatError,
    epoch_document,
    epoch_from_json,
    record_from_json,
)
from zksolvency.verifier.groth16 import MalformedKey, Proof, key_hash, verify
from zksolvency.verifier.holder import HolderKeyError, holder_commitment, read_holder_secret
from zksolvency.verifier.leaf import leaf_hash
from zksolvency.verifier.margin import evaluate
from zksolvency.verifier.margin_proof import MarginProofFile
from zksolvency.verifier.records import InclusionRecord
from zksolvency.verifier.reports import margin_proof
from zksolvency.verifier.vocabulary import field_hex, parse_address, usd, usd_price

from .inputs import margin_signals
from .margin_kit import KitError, unpack
from .witness import WitnessCalculator, WitnessError


class AccountProofError(ValueError):
    """The record cannot make this margin proof against this epoch; the message says why."""


def parse_threshold(text: str) -> int:
    """A USD amount as a decimal string ("5000", "0.5") to USD * 1e8, exactly; ValueError otherwise."""
    try:
        value = parse_scaled(text, PRICE_SCALE)
    except ValueError as exc:
        raise ValueError(
            f"threshold: {exc} (USD, at most 8 decimals: the circuit counts USD * 1e8)"
        ) from None
    if value < 0:
        raise ValueError(f"threshold {text!r}: must not be negative")
    if value >= 2**AMOUNT_BITS:
        raise ValueError(f"threshold {text!r}: must be below 2^64 / 1e8 USD")
    return value


def check_secret(record: InclusionRecord, secret: int, where: str) -> None:
    """ValueError unless `secret` opens the record's holder commitment (checked before any proving)."""
    account = record.account
    if account.holder == 0:
        raise ValueError(
            f"{account.label}: the record has no holder commitment (holder 0), so it cannot back a margin "
            "proof; make one with `zksolvency holder-key new` and register it with your venue for an epoch "
            "to come"
        )
    if holder_commitment(secret) != account.holder:
        raise ValueError(
            f"{where}: this secret's commitment {field_hex(holder_commitment(secret))} is not the holder "
            f"commitment {field_hex(account.holder)} of {account.label} in the record"
        )


def check_record(epoch: Epoch, record: InclusionRecord) -> None:
    """AccountProofError unless the record is of this epoch and leads to its root."""
    if record.epoch_id != epoch.epoch_id:
        raise AccountProofError(f"the record is of epoch {record.epoch_id}, the epoch is {epoch.epoch_id}")
    if len(record.path.siblings) != epoch.profile.tree_depth:
        raise AccountProofError("the record's path does not have the epoch tree's depth")
    if record.path.root(leaf_hash(record.account, record.salt, epoch.profile)) != epoch.root:
        raise AccountProofError("the record's leaf and path do not lead to the epoch root")


def prove_account(
    record: InclusionRecord,
    epoch: Epoch,
    kit: Path,
    threshold: int,
    recipient: int,
    chain_id: int,
    secret: int,
    gate: int,
    ceremonies: Sequence[KnownCeremony] | None = None,
) -> MarginProofFile:
    """The margin proof of `record`'s account in `epoch` with the margin kit in `kit`, made with the
    trader's holder `secret`, its nullifier scoped to `gate` on `chain_id`.

    AccountProofError if the record, the kit or the account's margin does not allow it.
    """
    try:
        keys = check_keys(epoch)
        check_setup(epoch, keys, pinned() if ceremonies is None else ceremonies)
    except CheckFailed as exc:
        raise AccountProofError(f"the epoch's keys: {exc}") from None
    check_record(epoch, record)
    try:
        kit_hash = key_hash(read_json(kit / "verification_key.json"))
    except (FormatError, MalformedKey) as exc:
        raise AccountProofError(f"margin kit {kit}: {exc}") from None
    if kit_hash != keys["margin"].sha256:
        raise AccountProofError(f"margin kit {kit}: its key is not the epoch's margin key")
    try:
        params = epoch.params.circuit(epoch.profile)
    except ValueError as exc:
        raise AccountProofError(f"the epoch's parameters: {exc}") from None
    if params.hash != epoch.params_hash:
        raise AccountProofError("the epoch's parameters do not hash to its parameter hash")
    health = evaluate(record.account, params)
    if health.available < threshold * THRESHOLD_TO_WEIGHTED:
        raise AccountProofError(
            f"haircut equity minus initial margin, {usd(health.available)} USD, is below the threshold "
            f"{usd_price(threshold)} USD"
        )
    signals, statement = margin_signals(
        record.account, record.salt, record.path, params, threshold, recipient, chain_id, secret, gate
    )
    try:
        wtns = WitnessCalculator(kit / "margin.wasm").calculate_wtns(signals)
    except WitnessError as exc:
        raise AccountProofError(f"the margin circuit refuses the account: {exc}") from None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "margin.wtns"
        path.write_bytes(wtns)
        proving_key = groth16py.ProvingKey.load(str(kit / "proving_key.bin"))
        proof = Proof.from_bytes(bytes(groth16py.prove_wtns(proving_key, str(path))))
    if not verify(keys["margin"], proof, statement.public_inputs):
        raise AccountProofError("the proof made with the margin kit does not verify under the epoch's key")
    return MarginProofFile(
        epoch.epoch_id, statement, recipient, chain_id, gate, tuple(statement.public_inputs), proof
    )


def prove_account_command(
    record_path: Annotated[Path, typer.Argument(metavar="RECORD", help="Your inclusion record (JSON).")],
    epoch_path: Annotated[Path, typer.Option("--epoch", help="The epoch folder (with public/margin).")],
    threshold: Annotated[str, typer.Option(help="Free collateral to prove, in USD (decimal, exact).")],
    recipient: Annotated[str, typer.Option(help="The 0x address the proof is bound to.")],
    chain_id: Annotated[
        int, typer.Option("--chain-id", help="The chain id the proof is bound to (the gate's chain).")
    ],
    secret_path: Annotated[
        Path, typer.Option("--secret", help="Your holder secret file (zksolvency holder-key new).")
    ],
    gate: Annotated[
        str, typer.Option(help="The 0x address of the MarginGate that will spend the proof's nullifier.")
    ],
    out: Annotated[Path, typer.Option(help="Where to write the margin proof.")] = Path("margin-proof.json"),
    force: Annotated[bool, typer.Option("--force", help="Replace OUT if it exists.")] = False,
    calldata: Annotated[
        bool, typer.Option("--calldata", help="Also print the MarginGate.claimCredit calldata (0x hex).")
    ] = False,
    as_json: JsonOption = False,
    kit_path: Annotated[
        Path | None,
        typer.Option(
            "--kit",
            help="The margin kit: a folder, or the zip from the API's /v1/epochs/ID/margin-kit "
            "(default: EPOCH/public/margin).",
        ),
    ] = None,
    ceremony: CeremonyOption = None,
) -> None:
    """Prove that your account's free collateral is at least THRESHOLD USD, bound to a recipient and chain,
    for one gate, with your holder secret."""
    try:
        amount = parse_threshold(threshold)
        address = parse_address(recipient, "recipient")
        gate_address = parse_address(gate, "gate")
        if not 0 < chain_id < 2**AMOUNT_BITS:
            raise ValueError(f"chain id {chain_id}: must be in [1, 2^64)")
        if out.exists() and not force:
            raise ValueError(f"{out} exists; pass --force to replace it")
    except ValueError as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from None
    document = epoch_document(epoch_path)
    kit = kit_path or document.parent / MARGIN_KIT.name
    try:
        record = record_from_json(read_json(record_path))
        secret = read_holder_secret(secret_path)
        check_secret(record, secret, str(secret_path))
        if record.account.portfolio:
            raise FormatError(
                f"{record_path}: account.margin: portfolio: margin proofs are made for standard accounts "
                "(the margin circuit refuses a portfolio key)"
            )
        epoch = epoch_from_json(read_json(document), with_batches=False)
        ceremonies = pinned() + [from_folder(folder) for folder in ceremony or []]
    except (FormatError, CeremonyError, HolderKeyError) as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from None
    except ValueError as exc:
        raise fail(f"{record_path}: {exc}", EXIT_BAD_INPUT) from None
    with tempfile.TemporaryDirectory() as unpacked:
        if kit.is_file():
            try:
                kit = unpack(kit.read_bytes(), Path(unpacked), str(kit))
            except KitError as exc:
                raise fail(str(exc), EXIT_BAD_INPUT) from None
        for name in ("margin.wasm", "proving_key.bin", "verification_key.json"):
            if not (kit / name).is_file():
                raise fail(f"{kit / name}: missing (the epoch's margin kit)", EXIT_BAD_INPUT)
        try:
            file = prove_account(
                record, epoch, kit, amount, address, chain_id, secret, gate_address, ceremonies
            )
        except AccountProofError as exc:
            raise fail(str(exc), EXIT_INVALID) from None
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.write_text(json.dumps(file.to_json(), indent=1) + "\n")
        if force:
            os.replace(partial, out)
        else:  # a hard link never replaces a file that appeared while the proof was being made
            os.link(partial, out)
    except FileExistsError:
        raise fail(f"{out} exists; pass --force to replace it", EXIT_BAD_INPUT) from None
    except OSError as exc:
        raise fail(f"{out}: {exc.strerror or exc}", EXIT_BAD_INPUT) from None
    finally:
        partial.unlink(missing_ok=True)
    claim = margin_proof(file)
    call = "0x" + file.calldata().hex()
    if as_json:
        report = {"margin_proof_file": str(out), "unsafe": epoch.unsafe, **claim}
        typer.echo(json.dumps({**report, "calldata": call} if calldata else report, indent=2))
        return
    if epoch.unsafe:
        typer.echo("UNSAFE: the epoch's keys come from a single-party development setup.")
    typer.echo(
        f"margin proof written to {out}: free collateral >= {claim['threshold_usd']} USD in epoch "
        f"{epoch.epoch_id}, bound to {claim['recipient']} on chain {chain_id}, for gate {claim['gate']}, "
        f"nullifier {claim['nullifier']}"
    )
    if calldata:
        typer.echo(
            f"MarginGate.claimCredit calldata (send it from {claim['recipient']} to {claim['gate']} on chain "
            f"{chain_id}):"
        )
        typer.echo(call)


def register(app: typer.Typer) -> None:
    """Add `prove-account` to the `zksolvency` app."""
    app.command("prove-account")(prove_account_command)
