"""Portfolio margin: the scenario grid in the model and the portfolio batch circuit, chained with standard
batches into one epoch, and the dishonest prover's ways to make a portfolio look healthier."""

import random
from dataclasses import replace

import pytest
from conftest import Circuits, rejected
from factories import UNIT, USD, option_venue

from zksolvency.prover.epoch import check_snapshot, prove_epoch
from zksolvency.prover.inputs import Signals, batch_signals
from zksolvency.prover.snapshot import SnapshotError
from zksolvency.verifier.account import Account, AccountError
from zksolvency.verifier.epoch import verify_epoch
from zksolvency.verifier.field import PORTFOLIO_FLAG, PPM, WEIGHTED_SCALE, R
from zksolvency.verifier.margin import HEALTHY, LIQUIDATABLE, eligible, evaluate
from zksolvency.verifier.params import CircuitParams, PortfolioRules
from zksolvency.verifier.profiles import PROFILES
from zksolvency.verifier.scenarios import DERIBIT
from zksolvency.verifier.state import ChainState

CI = PROFILES["ci"]
SALTS = [31, 32, 33, 34]
BLIND = 4242
#: The grid's index of the -16% move with vol unchanged, and of the +500% extended move.
DOWN_16, UP_500 = 1, 34


def portfolio(account_id: int, usdt: float, btc: float = 0, perp: float = 0, call: float = 0) -> Account:
    """A portfolio account: USDT, spot BTC, a BTC-PERP position and the 70,000 call, in units."""
    balances = (round(usdt * UNIT), round(btc * UNIT), 0)
    return Account(account_id, 0, balances, (round(perp * UNIT),), (round(call * UNIT), 0), portfolio=True)


def params() -> CircuitParams:
    return option_venue().circuit(CI)


def batch(ci: Circuits, accounts: list[Account], state: ChainState | None = None) -> Signals:
    kind = any(a.portfolio for a in accounts)
    padded = accounts + [Account.padding(ci.profile)] * (ci.profile.batch_size - len(accounts))
    start = state or ChainState.genesis(ci.profile)
    signals, _, _ = batch_signals(padded, SALTS, start, params(), BLIND, kind)
    return signals


def test_a_hedge_is_margined_by_its_worst_scenario_and_mm_is_four_fifths_of_im() -> None:
    """Long 1 BTC spot against 1 BTC-PERP short: every linear scenario nets to 0; the naked perp loses
    16% of 60,000 in the worst standard scenario (the extended moves count at 0.16 / |move|)."""
    hedged, naked = portfolio(1, 20_000, btc=1, perp=-1), portfolio(2, 20_000, perp=-1)
    h, n = evaluate(hedged, params()), evaluate(naked, params())
    assert h.initial == h.maintenance == 0
    assert n.scenario is not None and max(n.scenario.losses) == 9_600 * USD * UNIT
    assert n.initial == 9_600 * WEIGHTED_SCALE and n.maintenance == 7_680 * WEIGHTED_SCALE
    assert n.maintenance * PPM == n.initial * DERIBIT.mm_ratio_ppm


def test_a_short_call_is_charged_by_the_extended_scenarios() -> None:
    """A naked short 70,000 call: the +500% move at vol up, counted at 3.2%, is the worst cell; a long
    call can lose at most what it is worth (its mark, 1,200 USD)."""
    short = evaluate(portfolio(1, 50_000, call=-1), params())
    assert short.scenario is not None and short.scenario.worst == UP_500
    long = evaluate(portfolio(2, 50_000, call=1), params())
    assert 0 < long.initial <= 1_200 * WEIGHTED_SCALE < short.initial


def test_the_circuit_agrees_with_the_model_on_random_portfolios(ci: Circuits) -> None:
    """Random portfolios around the maintenance boundary: the witness exists for the model's class and
    totals (the next state opens only for the model's figures), and not for the other class."""
    rng = random.Random(10)
    seen = set()
    for round_ in range(4):
        accounts = []
        for i in range(ci.profile.batch_size):
            perp, call = rng.choice([-4, -3, 2, 3]), rng.choice([-5, -2, 0, 3])
            base = portfolio(10 * round_ + i + 1, 0, btc=rng.choice([0, 0.5, 1]), perp=perp, call=call)
            need = evaluate(base, params())
            # USDT that puts free collateral within a few dollars of zero, either side (MM > the minimum).
            usdt = (need.maintenance - need.equity) // WEIGHTED_SCALE + rng.randint(-5, 5)
            account = replace(base, balances=(usdt * UNIT, *base.balances[1:]))
            while not eligible(evaluate(account, params()), params()):
                account = replace(account, balances=(account.balances[0] + 5_000 * UNIT, *base.balances[1:]))
            accounts.append(account)
        signals = batch(ci, accounts)
        ci.portfolio_prover.witness(signals)
        classes = [evaluate(a, params()).margin_class for a in accounts]
        seen.update(classes)
        flipped = dict(signals)
        flipped["healthy"] = [1 - h for h in signals["healthy"]]
        rejected(ci.portfolio_prover, flipped, "MarginClass")
    assert seen == {HEALTHY, LIQUIDATABLE}


def test_a_worst_scenario_that_is_not_the_worst(ci: Circuits) -> None:
    """The prover names a milder scenario (or none) as the worst: a smaller MM has no witness."""
    signals = batch(ci, [portfolio(1, 50_000, call=-1)])
    ci.portfolio_prover.witness(signals)
    for milder in (DOWN_16, CI.scenarios):
        signals["worst"][0] = [int(s == milder) for s in range(CI.scenarios + 1)]
        rejected(ci.portfolio_prover, signals, "ScenarioMargin")


def test_a_dropped_scenario_or_a_soft_risk_array_is_not_the_published_grid(ci: Circuits) -> None:
    """The risk vector is bound to the parameter hash: zeroing the worst scenario's entries (dropping it)
    or softening one array has no witness, and a parameter vector built on soft arrays is not the one
    every verifier recomputes from the published prices, series and shock rules."""
    honest = batch(ci, [portfolio(1, 50_000, call=-1)])
    C = CI.scenarios
    option = CI.assets - 1 + CI.markets  # the call's instrument index
    dropped = dict(honest)
    dropped["risk"] = list(honest["risk"])
    for i in range(CI.portfolio_instruments):
        dropped["risk"][4 + i * C + UP_500] = 0
    rejected(ci.portfolio_prover, dropped, "RiskParameters")
    soft_array = tuple(r // 2 for r in params().risk[option])
    soft = replace(params(), risk=(*params().risk[:option], soft_array, *params().risk[option + 1 :]))
    assert soft.hash != params().hash
    assert option_venue().circuit(CI).hash == params().hash


def test_an_account_the_eligibility_rule_excludes(ci: Circuits) -> None:
    """Haircut equity below the published minimum: refused before proving, and no witness."""
    poor = portfolio(1, 9_999, btc=0)
    assert not eligible(evaluate(poor, params()), params())
    with pytest.raises(SnapshotError, match="eligibility rule excludes it"):
        check_snapshot(option_venue(), [poor], CI)
    rejected(ci.portfolio_prover, batch(ci, [poor]), "MarginClass")
    lower = replace(option_venue(), portfolio=PortfolioRules(min_equity=9_999 * USD))
    check_snapshot(lower, [poor], CI)


def test_a_portfolio_account_in_a_standard_batch_and_the_reverse(ci: Circuits) -> None:
    """The kinds keep apart: a standard batch holds no id with bit 47, a portfolio batch only such ids."""
    account = portfolio(1, 50_000, perp=1)
    standard = replace(account, portfolio=False)
    as_standard = batch(ci, [standard])
    ci.batch_prover.witness(as_standard)
    as_standard["accountId"][0] = account.key_id
    rejected(ci.batch_prover, as_standard, "RangeCheck")
    signals = batch(ci, [account])
    signals["accountId"][0] = standard.key_id
    rejected(ci.portfolio_prover, signals, "PortfolioRecord")


def test_a_portfolio_account_is_one_record(ci: Circuits) -> None:
    """A second record of a portfolio account (a subaccount, or the same id continued) is refused."""
    with pytest.raises(AccountError, match="one record, subaccount 0"):
        replace(portfolio(1, 50_000), subaccount=1).validate(CI)
    signals = batch(ci, [portfolio(1, 30_000), portfolio(2, 30_000)])
    signals["accountId"][1] = signals["accountId"][0]
    signals["newAccount"][1] = 0
    rejected(ci.portfolio_prover, signals, "PortfolioRecord")


def test_a_mixed_epoch_chains_both_kinds_into_one_state_and_one_root(ci: Circuits) -> None:
    """Three standard and two portfolio accounts: a standard batch, then a portfolio batch; the audit
    passes, and a batch claimed under the other circuit fails its pairing check."""
    venue = option_venue()
    accounts = [
        Account(1, 0, (40_000 * UNIT, 0, 0), (1 * UNIT,), (0, 0)),
        Account(2, 0, (30_000 * UNIT, 0, 0), (0,), (-UNIT, 0)),
        Account(3, 0, (5_000 * UNIT, 0, 0), (0,), (0, UNIT)),
        portfolio(4, 20_000, btc=1, perp=-1),
        portfolio(7, 12_000, call=-1),
    ]
    with pytest.raises(SnapshotError, match="margined under one regime"):
        check_snapshot(venue, [*accounts[:3], portfolio(2, 20_000)], CI)
    assert all(a.key_id >= PORTFOLIO_FLAG for a in accounts[3:])
    epoch, records = prove_epoch(venue, accounts, (10**15, 10**10, 0), CI, ci.keys, 5, 99)
    assert [b.portfolio for b in epoch.batches] == [False, True]
    audit = verify_epoch(epoch)
    assert audit.valid, audit.failure
    assert epoch.final_state.liquidatable == sum(
        evaluate(a, venue.circuit(CI)).margin_class == LIQUIDATABLE for a in accounts
    )
    assert [r.account for r in records] == accounts
    swapped = replace(epoch, batches=(epoch.batches[0], replace(epoch.batches[1], portfolio=False)))
    assert verify_epoch(swapped).failed_check == "batch 1 proof"


def test_the_risk_vector_holds_groups_then_arrays_negative_entries_as_field_elements() -> None:
    p = params()
    count = CI.portfolio_instruments
    assert (
        p.risk_vector[4 : 4 + count] == p.groups == (1, 0, 1, 3 + 1, 1, 1)
    )  # BTC, ETH, BTC-PERP, spare, 2 BTC series
    arrays = p.risk_vector[4 + count :]
    assert arrays[: CI.scenarios] == tuple(r % R for r in p.risk[0])
    assert min(p.risk[0]) < 0 < max(p.risk[0]) and not any(p.risk[1])  # ETH underlies nothing: unshocked


def test_each_kind_fills_whole_batches_so_the_tree_can_be_full_before_its_leaves_are() -> None:
    """62 standard accounts fill 16 batches of the ci tree (64 leaves); one portfolio account more needs a
    17th: refused before proving, though 63 accounts are fewer than 64 leaves."""
    standard = [Account(i, 0, (1_000 * UNIT, 0, 0), (0,), (0, 0)) for i in range(1, 63)]
    check_snapshot(option_venue(), standard, CI)
    with pytest.raises(SnapshotError, match="need 17 batches"):
        check_snapshot(option_venue(), [*standard, portfolio(100, 20_000)], CI)
