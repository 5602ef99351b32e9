"""Reserves against net liabilities, checked from the proven totals before any batch is proved: an
epoch whose reserves fall short would only fail its own audit after hours of proving."""

from collections.abc import Sequence

from zksolvency.verifier.amounts import format_scaled
from zksolvency.verifier.epoch import net_liabilities
from zksolvency.verifier.field import QUANTA_PER_UNIT
from zksolvency.verifier.params import EpochParams
from zksolvency.verifier.profiles import Profile
from zksolvency.verifier.state import ChainState

from .snapshot import MARKET_FILE, SnapshotError


def check_coverage(params: EpochParams, state: ChainState, reserves: Sequence[int], profile: Profile) -> None:
    """SnapshotError naming every asset whose declared reserves are below its net liabilities."""
    short = [
        f"{asset.symbol}: reserves {format_scaled(held, QUANTA_PER_UNIT)} are below the net liabilities "
        f"of {format_scaled(owed, QUANTA_PER_UNIT)}"
        for asset, held, owed in zip(
            params.assets, reserves, net_liabilities(params, state, profile), strict=True
        )
        if held < owed
    ]
    if short:
        raise SnapshotError(
            f"{MARKET_FILE}: the reserves do not cover what the venue owes, so the epoch would fail its "
            "audit; nothing was proved:\n" + "\n".join(short)
        )
