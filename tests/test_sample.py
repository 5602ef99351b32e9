"""The sample venue's books, in the model: the default demo's portfolio desk, its classes and its size."""

import pytest

from zksolvency.prover.cli import DEMO_SEED
from zksolvency.prover.epoch import check_snapshot
from zksolvency.prover.sample import CALM, CRASH, Stress, sample_venue
from zksolvency.verifier.margin import BANKRUPT, HEALTHY, LIQUIDATABLE, eligible, evaluate
from zksolvency.verifier.profiles import PROFILES

CI = PROFILES["ci"]


def batches(records: int) -> int:
    return -(-records // CI.batch_size)


@pytest.mark.parametrize("stress", [CALM, CRASH], ids=["default", "stress"])
def test_the_default_demo_book_has_a_portfolio_desk(stress: Stress) -> None:
    """`zksolvency demo` (40 accounts, the demo seed, ci): portfolio accounts and options beside the
    standard book, every portfolio account eligible and one record, one of them liquidatable, and both
    kinds of batch fit in the ci tree."""
    venue = sample_venue(40, DEMO_SEED, CI, stress=stress)
    params = check_snapshot(venue.params, venue.accounts, CI)
    portfolio = [a for a in venue.accounts if a.portfolio]
    standard = [a for a in venue.accounts if not a.portfolio]
    assert len(portfolio) == 4 and sum(1 for a in venue.accounts for q in a.options if q) > 0
    assert venue.accounts == standard + portfolio  # portfolio accounts after every standard one
    assert max(a.account_id for a in standard) < min(a.account_id for a in portfolio)
    health = [evaluate(a, params) for a in portfolio]
    assert all(a.subaccount == 0 and any(a.options) for a in portfolio)
    assert all(eligible(h, params) for h in health)
    assert [h.margin_class for h in health].count(LIQUIDATABLE) >= 1
    assert BANKRUPT not in [h.margin_class for h in health]
    classes = [evaluate(a, params).margin_class for a in standard]
    assert LIQUIDATABLE in classes and BANKRUPT in classes  # the demo's book shows every class
    assert (batches(len(standard)) + batches(len(portfolio))) * CI.batch_size <= CI.capacity


def test_makers_are_short_volatility_and_retail_is_long() -> None:
    """The desk's makers write straddles (net short options), its retail traders buy them."""
    venue = sample_venue(40, DEMO_SEED, CI)
    portfolio = [a for a in venue.accounts if a.portfolio]
    makers = [a for a in portfolio if sum(a.options) < 0]
    assert makers and all(min(a.options) < 0 for a in makers)
    assert sum(sum(a.options) for a in portfolio) == 0  # matched trades: the desk's open interest balances
    assert len(makers) < len(portfolio)


def test_a_portfolio_drawn_bankrupt_is_margined_as_a_standard_account() -> None:
    """One below the portfolio minimum is margined by the standard rules in the venue's snapshot: a book
    where every account is drawn bankrupt holds no portfolio account, and its desk's accounts are bankrupt
    standard ones."""
    ruin = Stress(near=0.0, liquidatable=0.0, bankrupt=1.0)
    venue = sample_venue(6, 5, CI, stress=ruin)
    params = check_snapshot(venue.params, venue.accounts, CI)
    assert not any(a.portfolio for a in venue.accounts)
    desk = [a for a in venue.accounts if a.account_id >= 10_000 + 50 * 6]
    assert len(desk) == 2
    assert {evaluate(a, params).margin_class for a in desk} <= {BANKRUPT, HEALTHY}
    assert BANKRUPT in {evaluate(a, params).margin_class for a in desk}
