"""The contracts from Python: generate their sources, deploy them, and drive them with web3.

    python -m zksolvency.contracts.chain generate --profile ci [--keys DIR] [--out DIR]
    python -m zksolvency.contracts.chain check --profile ci [--keys DIR] [--out DIR]

`generate` writes the profile's verifiers (from the keys in DIR/batch, DIR/portfolio_batch and DIR/margin,
by default the development keys in build/keys/PROFILE) and Poseidon hashers to contracts/generated/; `check`
says whether the files there match the keys (exit 0) or not (exit 1). Transactions always carry an
explicit gas limit (gas estimation is wrong for the verifiers); a revert raises ContractReverted naming the
custom error.
"""

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import function_signature_to_4byte_selector
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from zksolvency.prover.keys import CircuitKeys, load_keys
from zksolvency.prover.toolchain import BUILD
from zksolvency.verifier.ceremonies import CIRCUIT_KINDS
from zksolvency.verifier.epoch import BatchProof, Epoch, insurance_value
from zksolvency.verifier.groth16 import Proof
from zksolvency.verifier.profiles import Profile, get_profile
from zksolvency.verifier.statements import MarginStatement

from .solidity import (
    GENERATED,
    Artifact,
    compile_solidity,
    data_chunks,
    data_contract_initcode,
    header_digest,
    key_digest,
    poseidon_data,
    poseidon_source,
    solidity_sources,
    verifier_source,
)

#: Explicit gas limits per kind of transaction (anvil's blocks hold 30,000,000 here).
GAS = {
    "deploy": 12_000_000,
    "open": 1_000_000,
    "submit": 1_500_000,
    "finalize": 3_000_000,
    "claim": 1_000_000,
    "fold": 1_000_000,
}
DEFAULT_GAS = 500_000
STATE_HEAD_MAX = 12


# Generated sources ---------------------------------------------------------------------------------------


def verifier_name(profile: Profile, kind: str) -> str:
    """CiBatchVerifier, CiPortfolioBatchVerifier, ReferenceMarginVerifier, ... for circuit `kind`."""
    return f"{profile.name.title()}{kind.title().replace('_', '')}Verifier"


def hasher_inputs(profile: Profile) -> dict[str, int]:
    """The Poseidon widths (numbers of inputs) a registry of the profile needs: node, head, tail (0: none)."""
    n = profile.state_length
    tail = 0 if n <= STATE_HEAD_MAX or (n - 12) % 11 == 0 else 1 + (n - 12) % 11
    return {"node": 5, "head": min(n, STATE_HEAD_MAX), "tail": tail}


def generated_sources(profile: Profile, *keys: CircuitKeys) -> dict[str, str]:
    """contracts/generated/*.sol for the profile, a verifier per circuit's keys, by path relative to
    contracts/."""
    sources = {
        f"generated/{verifier_name(profile, k.circuit.kind)}.sol": verifier_source(
            k.verification_key, verifier_name(profile, k.circuit.kind), k.setup_kind
        )
        for k in keys
    }
    for inputs in sorted({n for n in hasher_inputs(profile).values() if n}):
        sources[f"generated/Poseidon{inputs}.sol"] = poseidon_source(inputs)
    return sources


def generate(profile: Profile, *keys: CircuitKeys, out: Path = GENERATED) -> list[Path]:
    """Write the generated sources into `out` (files whose text is unchanged are left alone)."""
    written = []
    for name, text in generated_sources(profile, *keys).items():
        path = out / Path(name).name
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        written.append(path)
    return written


def check(profile: Profile, *keys: CircuitKeys, out: Path = GENERATED) -> list[str]:
    """What in `out` does not match the keys and the generator: one line per problem, none if all match."""
    problems = []
    for name, text in generated_sources(profile, *keys).items():
        path = out / Path(name).name
        if not path.exists():
            problems.append(f"{path}: missing")
            continue
        found = path.read_text()
        digest = header_digest(text)
        if digest and header_digest(found) != digest:
            problems.append(f"{path}: generated from another verification key than sha256 {digest}")
        elif found != text:
            problems.append(f"{path}: differs from what the generator writes")
    return problems


def build(profile: Profile, *keys: CircuitKeys, out: Path = GENERATED) -> dict[str, Artifact]:
    """Generate the profile's sources into `out`, then compile contracts/src with the files written there."""
    files = generate(profile, *keys, out=out)
    return compile_solidity(solidity_sources({f"generated/{f.name}": f.read_text() for f in files}))


# Transactions --------------------------------------------------------------------------------------------


class ContractReverted(RuntimeError):
    """A call or transaction reverted; `error` names the custom error (or is "Error"/"Panic"/"revert")."""

    def __init__(self, error: str, args: tuple[Any, ...] = ()) -> None:
        super().__init__(f"{error}{args}")
        self.error = error
        self.error_args = args


def _error_table(artifacts: dict[str, Artifact]) -> dict[bytes, tuple[str, list[str]]]:
    table = {
        function_signature_to_4byte_selector("Error(string)"): ("Error", ["string"]),
        function_signature_to_4byte_selector("Panic(uint256)"): ("Panic", ["uint256"]),
    }
    for artifact in artifacts.values():
        for item in artifact.abi:
            if item["type"] == "error":
                types = [i["type"] for i in item["inputs"]]
                selector = function_signature_to_4byte_selector(f"{item['name']}({','.join(types)})")
                table[selector] = (item["name"], types)
    return table


def _revert_data(exc: Exception) -> bytes | None:
    """The revert data web3 attaches to a failed eth_call (a hex string), if any."""
    data = getattr(exc, "data", None)
    return bytes.fromhex(data[2:]) if isinstance(data, str) and data.startswith("0x") else None


class Chain:
    """A web3 connection, the compiled contracts and the EVM's chain id."""

    def __init__(self, w3: Web3, artifacts: dict[str, Artifact], chain_id: int) -> None:
        self.w3 = w3
        self.artifacts = artifacts
        self.chain_id = chain_id
        self._errors = _error_table(artifacts)

    def decode_revert(self, exc: Exception) -> ContractReverted:
        """The custom error (or revert string) carried by an exception from eth_call."""
        data = _revert_data(exc)
        if not data or len(data) < 4 or data[:4] not in self._errors:
            return ContractReverted("revert", (str(exc),))
        name, types = self._errors[data[:4]]
        return ContractReverted(name, tuple(self.w3.codec.decode(types, data[4:])))

    def send(self, fn: ContractFunction, sender: str, gas: int = DEFAULT_GAS) -> TxReceipt:
        """Simulate `fn`, raising ContractReverted with the error's name, then send it with gas `gas`."""
        tx = {"from": sender, "gas": gas}
        try:
            fn.call(tx)
        except Exception as exc:  # web3 raises several types for a revert
            raise self.decode_revert(exc) from None
        receipt = self.w3.eth.wait_for_transaction_receipt(fn.transact(tx))
        if receipt["status"] != 1:
            raise ContractReverted("revert", ("the transaction failed after a successful simulation",))
        return receipt

    def at(self, name: str, address: str) -> Contract:
        """The deployed contract `name` at `address`."""
        return self.w3.eth.contract(address=address, abi=self.artifacts[name].abi)

    def deploy(self, name: str, *args: Any, sender: str) -> tuple[Contract, TxReceipt]:
        """Deploy contract `name` with constructor `args`."""
        artifact = self.artifacts[name]
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        tx = {"from": sender, "gas": GAS["deploy"]}
        try:
            self.w3.eth.call({**tx, "data": factory.constructor(*args).build_transaction(tx)["data"]})
        except Exception as exc:
            raise self.decode_revert(exc) from None
        receipt = self.w3.eth.wait_for_transaction_receipt(factory.constructor(*args).transact(tx))
        if receipt["status"] != 1:
            raise ContractReverted("revert", (f"deploying {name} failed",))
        return self.at(name, receipt["contractAddress"]), receipt

    def deploy_code(self, initcode: bytes, sender: str) -> tuple[str, TxReceipt]:
        """Deploy raw creation code; the new address."""
        tx = {"from": sender, "data": initcode, "gas": GAS["deploy"]}
        receipt = self.w3.eth.wait_for_transaction_receipt(self.w3.eth.send_transaction(tx))
        if receipt["status"] != 1:
            raise ContractReverted("revert", ("deploying a data contract failed",))
        return receipt["contractAddress"], receipt


# Deployment ----------------------------------------------------------------------------------------------


def deploy_poseidon(chain: Chain, inputs: int, sender: str) -> tuple[Contract, list[TxReceipt]]:
    """Poseidon(inputs): its data contracts, then the hasher bound to them."""
    receipts, addresses = [], []
    for payload in data_chunks(poseidon_data(inputs)):
        address, receipt = chain.deploy_code(data_contract_initcode(payload), sender)
        addresses.append(address)
        receipts.append(receipt)
    contract, receipt = chain.deploy(f"Poseidon{inputs}", addresses, sender=sender)
    return contract, [*receipts, receipt]


@dataclass(frozen=True)
class Hashers:
    """The Poseidon contracts of a profile: tree nodes, the state vector's head and tail."""

    node: Contract
    head: Contract
    tail: Contract | None

    @property
    def addresses(self) -> tuple[str, str, str]:
        """Constructor arguments of SolvencyRegistry (address(0) for a missing tail)."""
        zero = "0x" + "00" * 20
        return self.node.address, self.head.address, self.tail.address if self.tail else zero


def deploy_hashers(chain: Chain, profile: Profile, sender: str) -> Hashers:
    """Deploy each Poseidon width the profile needs once."""
    widths = hasher_inputs(profile)
    deployed = {n: deploy_poseidon(chain, n, sender)[0] for n in sorted(set(widths.values())) if n}
    return Hashers(deployed[widths["node"]], deployed[widths["head"]], deployed.get(widths["tail"]))


def deploy_registry(chain: Chain, profile: Profile, venue: str, hashers: Hashers) -> Contract:
    """The batch and portfolio batch verifiers and a SolvencyRegistry owned by `venue` that routes each
    batch to the verifier of its kind."""
    batch, _ = chain.deploy(verifier_name(profile, "batch"), sender=venue)
    portfolio, _ = chain.deploy(verifier_name(profile, "portfolio_batch"), sender=venue)
    shape = (profile.assets, profile.instruments, profile.batch_levels, profile.tree_depth)
    registry, _ = chain.deploy(
        "SolvencyRegistry", venue, shape, batch.address, portfolio.address, *hashers.addresses, sender=venue
    )
    return registry


def deploy_gate(chain: Chain, profile: Profile, roots: str, max_age: int, sender: str) -> Contract:
    """The margin verifier and a MarginGate over the registry or mirror at `roots`."""
    verifier, _ = chain.deploy(verifier_name(profile, "margin"), sender=sender)
    gate, _ = chain.deploy("MarginGate", roots, verifier.address, max_age, sender=sender)
    return gate


def deploy_mirror(chain: Chain, owner: str, relayer: str, source_chain_id: int, source: str) -> Contract:
    """A RootMirror of the registry `source` on chain `source_chain_id`."""
    mirror, _ = chain.deploy("RootMirror", owner, relayer, source_chain_id, source, sender=owner)
    return mirror


# Epochs, credits, relaying -------------------------------------------------------------------------------


def instrument_slots(epoch: Epoch) -> int:
    """The registry's real instrument slots, bit i for slot i: the epoch's markets, then its option series
    (from slot M on). Every other slot must be empty."""
    markets = sum(1 << m for m in range(len(epoch.params.markets)))
    return markets | sum(1 << (epoch.profile.markets + s) for s in range(len(epoch.params.options)))


def open_epoch(chain: Chain, registry: Contract, epoch: Epoch, sender: str) -> TxReceipt:
    """openEpoch with the epoch's id, parameter hash, reserves, real instrument slots, batch count and the
    declared insurance fund's value (USD * 1e22, as the audit's check 12 values it)."""
    fn = registry.functions.openEpoch(
        epoch.epoch_id,
        epoch.params_hash,
        list(epoch.reserves),
        instrument_slots(epoch),
        len(epoch.batches),
        insurance_value(epoch.params),
    )
    return chain.send(fn, sender, GAS["open"])


def submit_batch(
    chain: Chain, registry: Contract, epoch_id: int, batch: BatchProof, sender: str
) -> TxReceipt:
    """submitBatch: the batch's kind (standard or portfolio), the statement's public inputs and the proof in
    the Ethereum layout."""
    statement, proof = batch.statement.public_inputs, batch.proof.to_bytes()
    fn = registry.functions.submitBatch(epoch_id, batch.portfolio, statement, proof)
    return chain.send(fn, sender, GAS["submit"])


def fold_tree(chain: Chain, registry: Contract, epoch_id: int, sender: str) -> TxReceipt:
    """foldTree: hash the complete group of four subtree roots into the account tree (anyone may)."""
    return chain.send(registry.functions.foldTree(epoch_id), sender, GAS["fold"])


def finalize_epoch(chain: Chain, registry: Contract, epoch: Epoch, sender: str) -> TxReceipt:
    """finalize with the opening of the final state: totals, book, last key, held markets, blind."""
    s = epoch.final_state
    totals = [*s.equity, *s.debt, *s.long, *s.short]
    fn = registry.functions.finalize(epoch.epoch_id, totals, list(s.classes), s.last_key, s.held, s.blind)
    return chain.send(fn, sender, GAS["finalize"])


def publish_epoch(chain: Chain, registry: Contract, epoch: Epoch, sender: str) -> list[TxReceipt]:
    """Open, submit every batch in order (folding each complete group of four), finalise."""
    receipts = [open_epoch(chain, registry, epoch, sender)]
    for i, batch in enumerate(epoch.batches):
        receipts.append(submit_batch(chain, registry, epoch.epoch_id, batch, sender))
        if i % 4 == 3:
            receipts.append(fold_tree(chain, registry, epoch.epoch_id, sender))
    return [*receipts, finalize_epoch(chain, registry, epoch, sender)]


def claim_credit(
    chain: Chain, gate: Contract, epoch_id: int, statement: MarginStatement, proof: Proof, sender: str
) -> TxReceipt:
    """claimCredit from `sender`, to whom (and to this chain) the proof must be bound."""
    fn = gate.functions.claimCredit(epoch_id, statement.public_inputs, proof.to_bytes())
    return chain.send(fn, sender, GAS["claim"])


def relay_epoch(registry: Contract, mirror: Contract, chain: Chain, epoch_id: int, relayer: str) -> TxReceipt:
    """Read a final epoch from the source registry and post it to the mirror (the relayer's job)."""
    root, params_hash, finalized_at = registry.functions.finalizedEpoch(epoch_id).call()
    return chain.send(mirror.functions.relayEpoch(epoch_id, root, params_hash, finalized_at), relayer)


# CLI -----------------------------------------------------------------------------------------------------


def _keys(profile: Profile, directory: Path | None) -> list[CircuitKeys]:
    base = directory or BUILD / "keys" / profile.name
    return [load_keys(base / kind) for kind in CIRCUIT_KINDS]


def main(argv: Sequence[str] | None = None) -> int:
    """generate | check; exit 0 (done, or everything matches), 1 (mismatch), 2 (bad input)."""
    parser = argparse.ArgumentParser(
        prog="python -m zksolvency.contracts.chain", description="Contracts glue."
    )
    parser.add_argument("command", choices=["generate", "check"])
    parser.add_argument("--profile", default="ci")
    parser.add_argument("--keys", type=Path, help="folder with a key folder per circuit kind")
    parser.add_argument("--out", type=Path, default=GENERATED)
    args = parser.parse_args(argv)
    try:
        profile = get_profile(args.profile)
        keys = _keys(profile, args.keys)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "generate":
        for path in generate(profile, *keys, out=args.out):
            print(path)
        return 0
    problems = check(profile, *keys, out=args.out)
    for line in problems:
        print(line)
    if not problems:
        digests = ", ".join(f"{k.circuit.kind} {key_digest(k.verification_key)[:16]}" for k in keys)
        print(f"{args.out}: matches the keys ({digests})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
