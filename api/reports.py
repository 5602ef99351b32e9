"""Turning the verifier's outcomes into the API's report models."""

from zksolvency.verifier.cli import units
from zksolvency.verifier.epoch import Audit
from zksolvency.verifier.epoch import Coverage as AuditCoverage

from .models.common import Check
from .models.epochs import Coverage


def checks(passed: list[str], failed_check: str | None, failure: str | None) -> list[Check]:
    """The checks passed, then the failed one with its reason."""
    out = [Check(check=name, ok=True) for name in passed]
    if failed_check is not None and failure is not None:
        out.append(Check(check=failed_check, ok=False, why=failure.removeprefix(f"{failed_check}: ")))
    return out


def coverage(rows: list[AuditCoverage]) -> list[Coverage]:
    """Reserves against net liabilities, per asset, in units."""
    return [
        Coverage(
            asset=c.symbol,
            net_liabilities=units(c.liabilities),
            reserves=units(c.reserves),
            ratio=c.ratio,
            covered=c.covered,
        )
        for c in rows
    ]


def audit_checks(audit: Audit) -> list[Check]:
    """The checks of an epoch audit."""
    return checks(audit.passed, audit.failed_check, audit.failure)
