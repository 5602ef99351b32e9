"""Gas of the contracts on an anvil node (npm @foundry-rs/anvil, Prague rules), with real ci proofs.

    python bench/gas.py [--accounts 18] [--full-tree]

Prints one JSON object: the machine, the EVM and compiler settings, the targets, then one entry per
measurement (what, size, gas, execution). `gas` is the transaction's gasUsed: 21,000 base and calldata
included; `execution` is gas less the intrinsic cost (21,000, 4 per zero and 16 per non-zero calldata byte,
and for a creation 32,000 plus 2 per initcode word). The sample epoch holds standard batches and portfolio
batches (the sample's portfolio desk and four more accounts, long and short the first market), so submitBatch
is measured for both kinds: each is verified by the verifier of its circuit. `--full-tree` also proves and
submits an epoch that fills the ci tree (16 batches of 4 accounts): its last batch completes two groups at
once, the costliest submitBatch. Before the sample epoch, 4 custody holdings of the 3 assets are registered
(the settlement asset in two wallets), so its finalize reads 4 balances. Keys are UNSAFE development keys
(cached under build/keys), and so are the custody wallets (anvil's development accounts).
"""

import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

from zksolvency.contracts import chain
from zksolvency.contracts.anvil import HARDFORK, Anvil, anvil_binary, dev_account
from zksolvency.contracts.custody import base_units, provision_custody, register_custody
from zksolvency.contracts.solidity import EVM_VERSION, OPTIMIZER_RUNS, SOLC_VERSION
from zksolvency.prover.circuits import build
from zksolvency.prover.epoch import EpochKeys, prove_epoch
from zksolvency.prover.inputs import margin_signals
from zksolvency.prover.keys import development_keys
from zksolvency.prover.proving import Prover
from zksolvency.prover.sample import sample_holder_secret, sample_params, sample_venue
from zksolvency.verifier.account import Account
from zksolvency.verifier.epoch import BatchProof, Epoch
from zksolvency.verifier.field import QUANTA_PER_UNIT, THRESHOLD_TO_WEIGHTED
from zksolvency.verifier.margin import evaluate
from zksolvency.verifier.profiles import get_profile

TARGETS = {"proof verification (execution)": 250_000, "submitBatch (gas, whole transaction)": 300_000}
SECRET = 31337
#: The verifiers deployed, by circuit kind.
VERIFIED = ("batch", "portfolio_batch", "margin")


def machine() -> dict[str, Any]:
    """What the numbers were measured on (gas does not depend on it)."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines() if "model name" in line), "")
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu": model,
    }


def intrinsic(tx: dict[str, Any]) -> int:
    """21,000 + calldata (4 per zero byte, 16 per other) [+ 32,000 + 2 per initcode word for a creation]."""
    data = bytes(tx["input"])
    cost = 21_000 + sum(4 if b == 0 else 16 for b in data)
    if tx.get("to") is None:
        cost += 32_000 + 2 * ((len(data) + 31) // 32)
    return cost


class Recorder:
    """Collects entries from receipts."""

    def __init__(self, evm: chain.Chain) -> None:
        self.evm = evm
        self.entries: list[dict[str, Any]] = []

    def add(self, what: str, receipt: Any, **size: Any) -> int:
        tx = self.evm.w3.eth.get_transaction(receipt["transactionHash"])
        gas = receipt["gasUsed"]
        entry = {"what": what, "size": size, "gas": gas, "execution": gas - intrinsic(tx)}
        self.entries.append(entry)
        print(f"{what}: {gas}", file=sys.stderr)
        return entry["execution"]


def deploy(rec: Recorder, profile: Any, venue: str) -> tuple[Any, Any]:
    """Every contract, each deployment recorded; the registry and the gate."""
    evm = rec.evm
    widths = chain.hasher_inputs(profile)
    hashers = {}
    for n in sorted({n for n in widths.values() if n}):
        contract, receipts = chain.deploy_poseidon(evm, n, venue)
        for i, receipt in enumerate(receipts[:-1]):
            rec.add(
                f"deploy Poseidon{n} data contract {i}",
                receipt,
                bytes=len(evm.w3.eth.get_code(receipt["contractAddress"])),
            )
        rec.add(f"deploy Poseidon{n}", receipts[-1], bytes=len(evm.w3.eth.get_code(contract.address)))
        hashers[n] = contract
    tail = hashers.get(widths["tail"])
    shape = (profile.assets, profile.instruments, profile.batch_levels, profile.tree_depth)
    contracts = {}
    for kind in VERIFIED:
        name = chain.verifier_name(profile, kind)
        contracts[kind], receipt = evm.deploy(name, sender=venue)
        rec.add(f"deploy {name}", receipt, bytes=len(evm.w3.eth.get_code(contracts[kind].address)))
    hasher_args = chain.Hashers(hashers[widths["node"]], hashers[widths["head"]], tail).addresses
    verifiers = (contracts["batch"].address, contracts["portfolio_batch"].address)
    registry, receipt = evm.deploy("SolvencyRegistry", venue, shape, *verifiers, *hasher_args, sender=venue)
    rec.add(
        "deploy SolvencyRegistry",
        receipt,
        bytes=len(evm.w3.eth.get_code(registry.address)),
        profile=profile.name,
    )
    gate, receipt = evm.deploy(
        "MarginGate", registry.address, contracts["margin"].address, 86_400, sender=venue
    )
    rec.add("deploy MarginGate", receipt, bytes=len(evm.w3.eth.get_code(gate.address)))
    mirror, receipt = evm.deploy("RootMirror", venue, venue, 1, registry.address, sender=venue)
    rec.add("deploy RootMirror", receipt, bytes=len(evm.w3.eth.get_code(mirror.address)))
    for n, hasher in hashers.items():
        receipt = evm.send(hasher.functions.hash(list(range(1, n + 1))), venue)
        rec.add(f"Poseidon{n}.hash", receipt, inputs=n)
    return registry, gate, contracts


def kind(batch: BatchProof) -> str:
    """The batch's kind as the epoch document names it: "portfolio" or "standard"."""
    return "portfolio" if batch.portfolio else "standard"


def publish(rec: Recorder, registry: Any, epoch: Epoch, venue: str, label: str) -> None:
    """openEpoch, every submitBatch, every foldTree and finalize, recorded."""
    evm = rec.evm
    n = len(epoch.batches)
    rec.add(f"{label} openEpoch", chain.open_epoch(evm, registry, epoch, venue), reserves=len(epoch.reserves))
    for i, batch in enumerate(epoch.batches):
        receipt = chain.submit_batch(evm, registry, epoch.epoch_id, batch, venue)
        rec.add(f"{label} submitBatch", receipt, index=i, kind=kind(batch))
        if i % 4 == 3:
            hashes = sum(1 for level in range(1, 8) if (i + 1) % 4**level == 0)
            receipt = chain.fold_tree(evm, registry, epoch.epoch_id, venue)
            rec.add(f"{label} foldTree", receipt, group=i // 4, node_hashes=hashes)
    rec.add(f"{label} finalize", chain.finalize_epoch(evm, registry, epoch, venue), batches=n)


def custody(rec: Recorder, node: Anvil, registry: Any, epoch: Epoch, venue: str) -> int:
    """Fund and register a wallet per asset plus a second one for the settlement asset; the count."""
    evm = rec.evm
    wallets = provision_custody(node, evm, epoch, epoch.reserves, 0, venue)
    holdings = [
        (i, wallets.reserve[a.symbol], wallets.tokens[a.symbol]) for i, a in enumerate(epoch.params.assets)
    ]
    settlement = wallets.tokens[epoch.params.assets[0].symbol]
    assert settlement is not None
    second = dev_account(8)
    evm.send(settlement.functions.mint(second.address, base_units(10**6, 6)), venue)
    holdings.append((0, second, settlement))
    for asset, holder, token in holdings:
        receipt = register_custody(evm, registry, venue, holder, asset, token.address if token else None)
        rec.add(
            "SolvencyRegistry addCustody (holder's signature)", receipt, asset=asset, native=token is None
        )
    return len(holdings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=18)
    parser.add_argument("--full-tree", action="store_true")
    args = parser.parse_args()
    profile = get_profile("ci")
    keys = EpochKeys.of({kind: development_keys(build(kind, profile)) for kind in VERIFIED})
    with Anvil() as node:
        evm = node.chain(chain.build(profile, *(keys.by_kind()[kind] for kind in VERIFIED)))
        run(node, evm, profile, keys, args)


def portfolio_accounts(params: Any) -> list[Account]:
    """Four portfolio accounts, long and short 1 and 2 units of the first market (the quote balance carrying
    the entry at the mark), 50,000 USD of equity each."""
    mark, unit, none = params.markets[0].mark, QUANTA_PER_UNIT, (0,) * len(params.options)
    return [
        Account(i, 0, (50_000 * unit - side * mark, 0, 0), (side * unit, 0), none, portfolio=True)
        for i, side in ((1, 1), (2, -1), (3, 2), (4, -2))
    ]


def run(node: Anvil, evm: chain.Chain, profile: Any, keys: EpochKeys, args: argparse.Namespace) -> None:
    """Every measurement on `node`; prints the report."""
    venue, trader = evm.w3.eth.accounts[:2]
    rec = Recorder(evm)
    registry, gate, verifiers = deploy(rec, profile, venue)

    snapshot = sample_venue(args.accounts, seed=5, profile=profile)
    portfolio = portfolio_accounts(snapshot.params)
    reserves = (snapshot.reserves[0] + 400_000 * QUANTA_PER_UNIT, *snapshot.reserves[1:])
    epoch, records = prove_epoch(
        snapshot.params,
        sorted([*snapshot.accounts, *portfolio], key=lambda a: a.key),
        reserves,
        profile,
        keys,
        1,
        SECRET,
    )
    holdings = custody(rec, node, registry, epoch, venue)
    label = (
        f"sample epoch ({sum(not r.account.portfolio for r in records)} standard and "
        f"{sum(r.account.portfolio for r in records)} portfolio records, "
        f"{holdings} custody balances read)"
    )
    publish(rec, registry, epoch, venue, label)

    for batch in (epoch.batches[0], next(b for b in epoch.batches if b.portfolio)):
        verifier = verifiers["portfolio_batch" if batch.portfolio else "batch"]
        receipt = evm.send(
            verifier.functions.verifyProof(batch.proof.to_bytes(), batch.statement.public_inputs), venue
        )
        rec.add(f"{kind(batch)} batch proof verification (verifyProof)", receipt, public_inputs=5)
    record = max((r for r in records if not r.account.portfolio), key=lambda r: r.account.balances[0])
    circuit = epoch.params.circuit(profile)
    threshold = evaluate(record.account, circuit).free // THRESHOLD_TO_WEIGHTED // 2
    secret = sample_holder_secret(5, record.account.account_id)
    signals, statement = margin_signals(
        record.account,
        record.salt,
        record.path,
        circuit,
        threshold,
        int(trader, 16),
        evm.chain_id,
        secret,
        int(gate.address, 16),
    )
    proof = Prover(keys.margin).prove(signals)
    receipt = evm.send(
        verifiers["margin"].functions.verifyProof(proof.to_bytes(), statement.public_inputs), trader
    )
    rec.add("margin proof verification (verifyProof)", receipt, public_inputs=6)
    rec.add(
        "MarginGate claimCredit", chain.claim_credit(evm, gate, 1, statement, proof, trader), first_claim=True
    )

    if args.full_tree:
        for _ in range(holdings):  # the full tree's finalize as without custody
            evm.send(registry.functions.removeCustody(0), venue)
        accounts = [
            Account(i + 1, 0, (1_000 * QUANTA_PER_UNIT, 0, 0), (0, 0)) for i in range(profile.capacity)
        ]
        full, _ = prove_epoch(
            sample_params(profile), accounts, (2_000 * 10**11, 0, 0), profile, keys, 2, SECRET
        )
        publish(rec, registry, full, venue, f"full tree ({profile.capacity} accounts)")

    submits = [e for e in rec.entries if e["what"].endswith("submitBatch")]
    by_kind = {
        k: {
            "worst gas": max(e["gas"] for e in submits if e["size"]["kind"] == k),
            "worst execution": max(e["execution"] for e in submits if e["size"]["kind"] == k),
        }
        for k in ("standard", "portfolio")
    }
    folds = [e for e in rec.entries if e["what"].endswith("foldTree")]
    verifications = [e for e in rec.entries if e["what"].endswith("(verifyProof)")]
    finalize = next(
        e for e in rec.entries if e["what"].startswith("sample epoch") and e["what"].endswith("finalize")
    )
    report = {
        "machine": machine(),
        "evm": {"implementation": evm.w3.client_version, "binary": anvil_binary().name, "fork": HARDFORK,
                "solc": SOLC_VERSION,
                "evm_version": EVM_VERSION, "optimizer_runs": OPTIMIZER_RUNS, "profile": profile.name},
        "targets": {
            "proof verification (execution)": {
                "limit": TARGETS["proof verification (execution)"],
                "worst": max(e["execution"] for e in verifications),
            },
            "submitBatch (gas, whole transaction)": {
                "limit": TARGETS["submitBatch (gas, whole transaction)"],
                "worst": max(e["gas"] for e in submits),
                "worst execution": max(e["execution"] for e in submits),
                "foldTree per group of four (worst)": max(e["gas"] for e in folds),
                "by kind": by_kind,
            },
            "finalize with balance reads (reported)": {
                "assets": len(epoch.reserves), "custody balances": holdings, "gas": finalize["gas"],
            },
        },
        "entries": rec.entries,
    }  # fmt: skip
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
