"""Red team after margin per underlying (30c288e): scenario groups, the implied-volatility rule and the
portfolio batch circuit, attacked by a dishonest venue that chooses every private input and publishes its
own parameters.

Each test is one attack with real witness generation on the ci circuits. Two were breaks in the published
parameters (the circuit proves whatever the parameters say): each test shows the circuit accepting the false
book under the soft parameters, then check 1 (`EpochParams.validate`, run by every verifier) refusing them.
The other tests are negative results, kept for what they pin down."""

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from unittest.mock import patch

import pytest
from conftest import Circuits, rejected
from factories import EPOCH_TIME, UNIT, USD, option_venue

from zksolvency.prover.epoch import check_snapshot
from zksolvency.prover.inputs import Signals, batch_signals
from zksolvency.prover.snapshot import SnapshotError
from zksolvency.verifier.account import Account
from zksolvency.verifier.black76 import option_price
from zksolvency.verifier.field import WEIGHTED_SCALE, R
from zksolvency.verifier.margin import HEALTHY, LIQUIDATABLE, evaluate
from zksolvency.verifier.params import PUT, EpochParams, OptionSeries, ParamsError
from zksolvency.verifier.profiles import PROFILES
from zksolvency.verifier.state import ChainState

CI = PROFILES["ci"]
SALTS = [51, 52, 53, 54]
BLIND = 5151
DAY = 86_400


def signals_of(accounts: list[Account], venue: EpochParams) -> Signals:
    """Honest portfolio-batch signals of `accounts` (padded) from genesis."""
    padded = accounts + [Account.padding(CI)] * (CI.batch_size - len(accounts))
    signals, _, _ = batch_signals(padded, SALTS, ChainState.genesis(CI), venue.circuit(CI), BLIND, True)
    return copy.deepcopy(signals)


@contextmanager
def without_check_1() -> Iterator[None]:
    """The circuit's view of parameters that check 1 refuses: what the circuit alone would prove."""
    with patch.object(EpochParams, "validate", lambda self, profile: None):
        yield


def mm_usd(health: object) -> int:
    return health.maintenance // WEIGHTED_SCALE  # type: ignore[attr-defined]


# 1. An iv tolerance measured on the underlying price left a cheap option's iv free (was a break).

#: The market's implied volatility of both puts: 60%. Each mark is Black-76 at it (BTC at 60,000).
MARKET_IV = 600_000
#: Within the verifier's tolerance (Black-76 at iv within 1% of the mark OR 0.01% of U = 6 USD), the
#: venue publishes these instead: 77% and 95%, where Black-76 gives 5.91 and 5.77 USD (marks: 0.29, 0.01).
INFLATED_IV = (770_000, 950_000)


def cheap_puts(ivs: tuple[int, int]) -> EpochParams:
    """The option venue with two cheap BTC puts, marked at the market's 60%: the 45,000 put 7 days out
    (0.29 USD) and the 50,000 put 2 days out (0.01 USD); their iv published as `ivs`."""
    puts = []
    for (strike, days), iv in zip(((45_000, 7), (50_000, 2)), ivs, strict=True):
        seconds = days * DAY
        mark = option_price(60_000 * USD, strike * USD, MARKET_IV, seconds, False)
        symbol = f"BTC-{days}D-{strike}-P"
        puts.append(OptionSeries(symbol, "BTC", strike * USD, EPOCH_TIME + seconds, PUT, mark, iv))
    return replace(option_venue(), options=tuple(puts))


def test_an_inflated_iv_on_cheap_puts_is_refused_by_check_1(ci: Circuits) -> None:
    """Long 2 BTC-PERP (120,000 USD) with 1,000 of the 45,000 put and 100 of the 50,000 put (cost 294 USD)
    and 10,500 USD of haircut equity. At the market's iv (60%) the grid's MM is 11,233 USD: LIQUIDATABLE.
    The venue publishes the same marks with iv 77% and 95%; check 1 accepted (Black-76 at those gives 5.91 and
    5.77 USD, within 0.01% of U = 6 USD of marks of 0.29 and 0.01 USD), the vol-up cells inflate the puts'
    gains in every down move, MM falls to 7,256 USD and the portfolio batch proves the book HEALTHY. Check 1
    now measures the tolerance on the time value (here the whole mark) and refuses both ivs."""
    honest, inflated = cheap_puts((MARKET_IV, MARKET_IV)), cheap_puts(INFLATED_IV)
    honest.validate(CI)
    cost = (1_000 * honest.options[0].mark + 100 * honest.options[1].mark) // USD
    quote = (10_500 - 120_000 - cost) * UNIT
    book = Account(1, 0, (quote, 0, 0), (2 * UNIT,), (1_000 * UNIT, 100 * UNIT), portfolio=True)

    fair = evaluate(book, honest.circuit(CI))
    assert fair.margin_class == LIQUIDATABLE and mm_usd(fair) == 11_233
    signals = signals_of([book], honest)
    assert signals["healthy"][0] == 0
    signals["healthy"][0] = 1
    rejected(ci.portfolio_prover, signals, "MarginClass")

    with without_check_1():
        soft = evaluate(book, inflated.circuit(CI))
        signals = signals_of([book], inflated)
    assert soft.margin_class == HEALTHY and mm_usd(soft) == 7_256
    for series in inflated.options:  # neither iv is the mark's implied volatility: 20 to 500 times the mark
        model = option_price(60_000 * USD, series.strike, series.iv, series.expiry - EPOCH_TIME, False)
        assert model > 20 * series.mark
    assert signals["healthy"][0] == 1
    ci.portfolio_prover.witness(signals)  # the circuit proves what the parameters say

    with pytest.raises(ParamsError, match=r"\.iv"):
        inflated.validate(CI)


def test_a_deflated_iv_on_a_short_cheap_option_gains_nothing() -> None:
    """The old tolerance let a venue publish iv 0.0001% for a short deep out-of-the-money put, but the
    extended table (-33% at vol up) charges its intrinsic value whatever the iv: MM moves by under 1 USD.
    Check 1 now refuses that iv too."""
    honest = cheap_puts((MARKET_IV, MARKET_IV))
    flat = cheap_puts((1, 1))
    with pytest.raises(ParamsError, match=r"\.iv"):
        flat.validate(CI)
    short = Account(1, 0, (20_000 * UNIT, 0, 0), (0,), (-10 * UNIT, -10 * UNIT), portfolio=True)
    with without_check_1():
        flat_mm, fair_mm = (evaluate(short, v.circuit(CI)).maintenance for v in (flat, honest))
    assert fair_mm > 100_000 * WEIGHTED_SCALE and abs(flat_mm - fair_mm) < WEIGHTED_SCALE  # under 1 USD


# 2. A market's underlying was a free label (was a break: now its mark must be near the asset's price).


def test_a_perpetual_labelled_on_another_asset_is_refused_by_check_1(ci: Circuits) -> None:
    """BTC-PERP (mark 60,000) published with underlying ETH (price 3,000): check 1 accepted any asset of the
    epoch. Long 2 BTC-PERP against 40 ETH borrowed (the same 120,000 USD) and 12,000 USD of equity: under
    the true label the ETH is unshocked collateral and the perpetual alone is charged 15,360 USD (as
    ETH-beside-BTC in test_redteam_portfolio): LIQUIDATABLE; labelled on ETH, both are in group 2, every
    move nets them, MM is 0 and the batch proves the account HEALTHY (the cross-underlying netting that
    30c288e fixed, back through the label). Check 1 now wants a perpetual's mark within 10% of its
    underlying's price, and refuses the label."""
    venue = option_venue()
    relabelled = replace(venue, markets=(replace(venue.markets[0], underlying="ETH"),))
    book = Account(1, 0, (12_000 * UNIT, 0, -40 * UNIT), (2 * UNIT,), (0, 0), portfolio=True)
    fair = evaluate(book, venue.circuit(CI))
    assert fair.margin_class == LIQUIDATABLE and mm_usd(fair) == 15_360
    with without_check_1():
        netted = evaluate(book, relabelled.circuit(CI))
        signals = signals_of([book], relabelled)
    assert netted.margin_class == HEALTHY and netted.maintenance == 0 and netted.group == 2
    assert signals["group"][0] == 2 and signals["healthy"][0] == 1
    ci.portfolio_prover.witness(signals)  # the circuit proves what the parameters say

    with pytest.raises(ParamsError, match=r"markets\[0\].*underlying"):
        relabelled.validate(CI)


# 3. Scenario groups in the circuit (negative results).


def own_group_perp() -> EpochParams:
    """The option venue with its BTC-PERP published without an underlying: its own group, A + 0 = 3."""
    venue = option_venue()
    return replace(venue, markets=(replace(venue.markets[0], underlying=None),))


def test_a_perpetual_of_its_own_group_does_not_hedge_an_option(ci: Circuits) -> None:
    """A perpetual without an underlying is group A + m: with a BTC option it is two underlyings, refused
    before proving, and no group the prover names (BTC, its own, 0, beyond the profile, -1) admits both."""
    venue = own_group_perp()
    assert venue.circuit(CI).groups == (1, 0, 3, 4, 1, 1)
    book = Account(1, 0, (30_000 * UNIT, 0, 0), (UNIT,), (0, 20 * UNIT), portfolio=True)
    with pytest.raises(SnapshotError, match="more than one underlying"):
        check_snapshot(venue, [book], CI)
    padded = [book] + [Account.padding(CI)] * (CI.batch_size - 1)
    signals, _, _ = batch_signals(padded, SALTS, ChainState.genesis(CI), venue.circuit(CI), BLIND, True)
    for group in (1, 3, 0, 5, 2**64, R - 1):
        signals["group"][0] = group
        rejected(ci.portfolio_prover, signals, "ScenarioGroup")


def test_naming_another_group_cannot_unshock_the_losing_spot(ci: Circuits) -> None:
    """Long 2 BTC-PERP and long 1 BTC spot with 14,000 USD of equity: the spot is in the perpetual's group
    and is shocked with it (MM 23,040 USD: LIQUIDATABLE; unshocked it would be 15,360). To leave the spot
    unshocked the prover must name another group (0, ETH's 2, the spare market's 4), which the perpetual's
    quantity forbids."""
    venue = option_venue()
    book = Account(1, 0, ((14_000 - 120_000 - 60_000) * UNIT, UNIT, 0), (2 * UNIT,), (0, 0), portfolio=True)
    fair = evaluate(book, venue.circuit(CI))
    assert fair.margin_class == LIQUIDATABLE and mm_usd(fair) == 23_040
    signals = signals_of([book], venue)
    assert signals["group"][0] == 1
    for group in (0, 2, 4):
        forged = copy.deepcopy(signals)
        forged["group"][0] = group
        rejected(ci.portfolio_prover, forged, "ScenarioGroup")
    ci.portfolio_prover.witness(signals)


# 4. The snapshot time is the venue's word (WEAKNESS: accepted; nothing binds it to a clock).

#: The option venue's series refitted to a snapshot time a year earlier: each iv is again its mark's implied
#: volatility, over 392 days instead of 27 (Black-76 sees only iv * sqrt(t), so the marks are unchanged).
BACKDATED_IV = (170_145, 135_421)


def test_a_backdated_snapshot_time_softens_a_long_option_book(ci: Circuits) -> None:
    """WEAKNESS: `time` is published by the venue and checked only against the series (0 < time < expiry);
    nothing ties it to the reserves' pinned blocks or the epoch's submission. Moved a year back with each
    iv refitted to its unchanged mark, every option is 392 days out: the vol shock x = (30 / DTE)^p
    shrinks, so the vol-down cells that charge a long option book lose less. Long 20 of each series with
    15,000 USD of equity: MM 17,240 USD at the true time (LIQUIDATABLE), 13,522 USD backdated, and the
    portfolio batch proves the book HEALTHY."""
    venue = option_venue()
    year = 365 * DAY
    backdated = replace(
        venue,
        time=venue.time - year,
        options=tuple(replace(s, iv=iv) for s, iv in zip(venue.options, BACKDATED_IV, strict=True)),
    )
    premium = 20 * (1_200 + 350)
    book = Account(1, 0, ((15_000 - premium) * UNIT, 0, 0), (0,), (20 * UNIT, 20 * UNIT), portfolio=True)
    fair = evaluate(book, venue.circuit(CI))
    assert fair.margin_class == LIQUIDATABLE and mm_usd(fair) == 17_240
    soft = evaluate(book, backdated.circuit(CI))  # check 1 passes
    assert soft.margin_class == HEALTHY and mm_usd(soft) == 13_522
    signals = signals_of([book], backdated)
    assert signals["healthy"][0] == 1
    ci.portfolio_prover.witness(signals)  # accepted
    signals = signals_of([book], venue)
    signals["healthy"][0] = 1
    rejected(ci.portfolio_prover, signals, "MarginClass")
