"""Circuit profiles: the sizes a pair of circuits is compiled for."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """Sizes of one build of the circuits.

    A batch holds 4**batch_levels accounts; the epoch tree is a 4-ary tree of depth tree_depth.
    """

    name: str
    assets: int
    markets: int
    tiers: int
    brackets: int
    options: int
    """Option series slots: an account holds a signed position in each series of the epoch's table."""
    scenarios: int
    """Scenarios of the portfolio-margin grid (Deribit's 27 standard + 8 extended)."""
    batch_levels: int
    tree_depth: int

    @property
    def batch_size(self) -> int:
        """Accounts per batch proof."""
        return 4**self.batch_levels

    @property
    def capacity(self) -> int:
        """Accounts an epoch tree holds."""
        return 4**self.tree_depth

    @property
    def max_batches(self) -> int:
        """Batch subtrees an epoch tree holds."""
        return 4 ** (self.tree_depth - self.batch_levels)

    @property
    def instruments(self) -> int:
        """Derivative slots of the chained state: the perpetual markets, then the option series."""
        return self.markets + self.options

    @property
    def portfolio_instruments(self) -> int:
        """Instruments of a portfolio's scenario losses: the tiered assets, the markets, the series."""
        return self.assets - 1 + self.markets + self.options

    @property
    def state_length(self) -> int:
        """Length of the batch-chain state vector."""
        return 2 * self.assets + 2 * self.instruments + 10


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        # 8 assets, 4 perpetual markets, 12 collateral tiers, 10 margin brackets, 8 option series; 64 accounts
        # a batch, up to 4^10 = 1,048,576 accounts an epoch.
        Profile(
            "reference",
            assets=8,
            markets=4,
            tiers=12,
            brackets=10,
            options=8,
            scenarios=35,
            batch_levels=3,
            tree_depth=10,
        ),
        # The reference sizes at 4 accounts a batch (about 32k constraints): small enough for a
        # snarkjs setup from a 2^15 powers of tau, so bench/prove.py can compare provers on one key.
        Profile(
            "reference-4",
            assets=8,
            markets=4,
            tiers=12,
            brackets=10,
            options=8,
            scenarios=35,
            batch_levels=1,
            tree_depth=10,
        ),
        # Small enough to compile, set up and prove in CI on two cores.
        Profile(
            "ci",
            assets=3,
            markets=2,
            tiers=3,
            brackets=3,
            options=2,
            scenarios=35,
            batch_levels=1,
            tree_depth=3,
        ),
    )
}


def get_profile(name: str) -> Profile:
    """The profile called `name`; ValueError names the known ones otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; known: {', '.join(sorted(PROFILES))}") from None
