"""The reports of the CLI's `--json` and of the API, built in one place from the audit's outcomes.

Each builder returns the JSON object both sides print or answer (docs/json.md); the API's response
models mirror these dicts field for field. To add a field, add it here and to the model.
"""

from typing import Any

from .epoch import Audit, Coverage, Epoch, book_json
from .grid import scenario_grid
from .groth16 import MalformedKey, key_hash
from .inclusion import AccountCheck
from .margin_proof import MarginProofFile
from .positions import position_figures
from .records import InclusionRecord
from .reserves import AssetReserves
from .vocabulary import (
    PORTFOLIO,
    STANDARD,
    checksum_address,
    field_hex,
    ratio,
    sha256_hex,
    units,
    usd,
    usd_decimal,
    usd_price,
)

# -- report parts --------------------------------------------------------------------------------------


def checks(passed: list[str], failed_check: str | None, failure: str | None) -> list[dict[str, Any]]:
    """The checks passed in order, then the failed one with why (`{"check", "ok", "why"}`)."""
    out: list[dict[str, Any]] = [{"check": name, "ok": True, "why": None} for name in passed]
    if failed_check is not None and failure is not None:
        out.append({"check": failed_check, "ok": False, "why": failure.removeprefix(f"{failed_check}: ")})
    return out


def _key_hashes(epoch: Epoch) -> dict[str, str]:
    """The published key hashes; for an epoch built in memory, the hashes of its keys."""
    if epoch.key_hashes is not None:
        return epoch.key_hashes
    try:
        return {kind: key_hash(key) for kind, key in epoch.verification_keys.items()}
    except MalformedKey:
        return {}


def setup(epoch: Epoch) -> dict[str, Any]:
    """How the epoch's keys were made: kind, unsafe, key hashes by circuit, the ceremony transcript."""
    return {
        "kind": epoch.setup_kind,
        "unsafe": epoch.unsafe,
        "keys": {kind: sha256_hex(h) for kind, h in _key_hashes(epoch).items()},
        "ceremony_transcript_sha256": sha256_hex(epoch.ceremony.transcript_sha256)
        if epoch.ceremony
        else None,
    }


def coverage(rows: list[Coverage], proven: list[AssetReserves] | None = None) -> list[dict[str, Any]]:
    """Per asset, in units: net liabilities, declared reserves and their ratio to the liabilities, the
    declared insurance fund and the holdings to verify (reserves plus fund); and, once the reserves are
    proven (`verify --rpc`, the demo), the proven reserves, the unproven part of the declared ones, the
    proven insurance and the coverage computed from the proven reserves alone (null before)."""
    by_asset = {r.symbol: r for r in proven or ()}
    out = []
    for c in rows:
        p = by_asset.get(c.symbol)
        owed = c.liabilities > 0
        out.append(
            {
                "asset": c.symbol,
                "net_liabilities": units(c.liabilities),
                "declared": units(c.reserves),
                "ratio": ratio(c.reserves, c.liabilities) if owed else None,
                "insurance": units(c.insurance),
                "holdings": units(c.holdings),
                "covered": c.covered,
                "proven": units(p.proven) if p else None,
                "unproven": units(p.unproven) if p else None,
                "insurance_proven": units(p.insurance_proven) if p else None,
                "coverage": ratio(p.proven, c.liabilities) if p and owed else None,
                "proven_covered": p.covered if p else None,
            }
        )
    return out


def epoch_report(epoch: Epoch, audit: Audit, proven: list[AssetReserves] | None = None) -> dict[str, Any]:
    """The outcome of `verify_epoch`: the same object for `zksolvency verify --json` and the API.

    Fields are added here, once (docs/json.md lists them); the API's model mirrors this dict.
    """
    return {
        "valid": audit.valid,
        "failed_check": audit.failed_check,
        "failure": audit.failure,
        "epoch_id": epoch.epoch_id,
        "profile": epoch.profile.name,
        "batches": len(epoch.batches),
        "root": field_hex(epoch.root),
        "params_hash": field_hex(epoch.params_hash),
        "setup": setup(epoch),
        "checks": checks(audit.passed, audit.failed_check, audit.failure),
        "coverage": coverage(audit.coverage, proven),
        **book_json(audit.book),
    }


def account_figures(epoch: Epoch, record: InclusionRecord, result: AccountCheck) -> dict[str, Any]:
    """An account as its record states it (units) and its margin under the epoch's parameters (USD); a
    portfolio account's scenario grid (`grid.py`)."""
    account = record.account
    health, circuit = result.health, result.params
    grid = (
        scenario_grid(health.scenario, circuit.shocks).to_json()
        if health and circuit and health.scenario
        else None
    )
    return {
        "account_id": account.account_id,
        "subaccount": account.subaccount,
        "margin": PORTFOLIO if account.portfolio else STANDARD,
        "index": record.index,
        "batch": result.batch,
        "balances": {a.symbol: units(v) for a, v in zip(epoch.params.assets, account.balances, strict=False)},
        "positions": {
            m.symbol: units(v) for m, v in zip(epoch.params.markets, account.positions, strict=False)
        },
        "options": {o.symbol: units(v) for o, v in zip(epoch.params.options, account.options, strict=False)},
        "holder": field_hex(account.holder),
        "haircut_equity_usd": usd(health.equity) if health else None,
        "maintenance_margin_usd": usd(health.maintenance) if health else None,
        "free_collateral_usd": usd(health.free) if health else None,
        "initial_margin_usd": usd(health.initial) if health else None,
        "available_usd": usd(health.available) if health else None,
        "position_figures": [p.to_json() for p in position_figures(account, epoch.params, circuit)]
        if health and circuit
        else None,
        "scenario_grid": grid,
        "net_value_usd": usd(health.net_value) if health else None,
        "healthy": health.healthy if health else None,
        "margin_class": health.margin_class if health else None,
        "maintenance_shortfall_usd": usd_decimal(health.shortfall) if health else None,
        "bad_debt_usd": usd_decimal(health.bad_debt) if health else None,
        "in_words": health.in_words if health else None,
    }


def margin_proof(file: MarginProofFile) -> dict[str, Any]:
    """What a margin proof claims: threshold (USD), recipient (EIP-55), chain id, gate (EIP-55), nullifier."""
    threshold = file.statement.threshold
    return {
        "epoch_id": file.epoch_id,
        "threshold_usd": usd_price(threshold) if threshold >= 0 else None,
        "recipient": checksum_address(file.recipient),
        "chain_id": file.chain_id,
        "gate": checksum_address(file.gate),
        "nullifier": field_hex(file.statement.nullifier),
    }


def record_report(
    epoch: Epoch, record: InclusionRecord, result: AccountCheck, proof: MarginProofFile | None = None
) -> dict[str, Any]:
    """The outcome of a trader's check: the same object for `verify-account --json` and the API."""
    return {
        "valid": result.valid,
        "failed_check": result.failed_check,
        "failure": result.failure,
        "epoch_id": epoch.epoch_id,
        "profile": epoch.profile.name,
        "root": field_hex(epoch.root),
        "setup": setup(epoch),
        "checks": checks(result.passed, result.failed_check, result.failure),
        "account": account_figures(epoch, record, result),
        "margin_proof": margin_proof(proof) if proof is not None and result.valid else None,
    }


def margin_proof_report(
    file: MarginProofFile, passed: list[str], failed_check: str | None, failure: str | None
) -> dict[str, Any]:
    """The outcome of a consumer's check of a margin proof (the API's POST /v1/verify/margin-proof)."""
    return {
        "valid": failure is None,
        "failed_check": failed_check,
        "failure": failure,
        **margin_proof(file),
        "checks": checks(passed, failed_check, failure),
    }
