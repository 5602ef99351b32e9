"""Red team after portfolio margin and the range checks moved into the tier and bracket placements: a
dishonest venue (who chooses every private input) tries to get a false statement through a batch circuit,
the portfolio batch circuit, the margin circuit or the audit.

Each test is one attack with real witness generation on the ci circuits. A test that ends in a rejection is a
negative result kept for what it pins down; the tests that end in an acceptance document what the
constraints allow (see their docstrings)."""

import copy
from dataclasses import replace

import pytest
from conftest import Circuits, rejected
from factories import UNIT, USD, option_venue

from zksolvency.prover.epoch import check_snapshot, prove_epoch
from zksolvency.prover.inputs import Signals, batch_signals, margin_signals
from zksolvency.prover.snapshot import SnapshotError
from zksolvency.verifier.account import Account
from zksolvency.verifier.epoch import verify_epoch
from zksolvency.verifier.field import PORTFOLIO_FLAG, PPM, WEIGHTED_SCALE, R
from zksolvency.verifier.formats import epoch_to_json
from zksolvency.verifier.holder import holder_commitment
from zksolvency.verifier.inclusion import verify_account
from zksolvency.verifier.leaf import leaf_hash
from zksolvency.verifier.margin import HEALTHY, LIQUIDATABLE, evaluate
from zksolvency.verifier.params import CollateralTier, EpochParams, ParamsError
from zksolvency.verifier.profiles import PROFILES
from zksolvency.verifier.state import ChainState
from zksolvency.verifier.tree import QuadTree

CI = PROFILES["ci"]
SALTS = [41, 42, 43, 44]
BLIND = 4343
SECRET = 987_654_321


def signals_of(
    accounts: list[Account],
    venue: EpochParams | None = None,
    state: ChainState | None = None,
    portfolio: bool | None = None,
) -> tuple[Signals, ChainState]:
    """Honest signals of one batch of `accounts` (padded), and the state after it."""
    kind = any(a.portfolio for a in accounts) if portfolio is None else portfolio
    padded = accounts + [Account.padding(CI)] * (CI.batch_size - len(accounts))
    params = (venue or option_venue()).circuit(CI)
    signals, _, after = batch_signals(padded, SALTS, state or ChainState.genesis(CI), params, BLIND, kind)
    return copy.deepcopy(signals), after


def pm(account_id: int, balances: tuple[int, ...], perp: int = 0, options: tuple = (0, 0)) -> Account:
    return Account(account_id, 0, balances, (perp,), options, portfolio=True)


# 1. The scenario grid netted exposures across underlyings (a rule flaw, FIXED: margin per underlying).


def usdc_venue() -> EpochParams:
    """The option venue with its third asset a second stablecoin, USDC at 1 USD counted at 100%."""
    venue = option_venue()
    usdc = replace(venue.assets[2], symbol="USDC", price=1 * USD, tiers=(CollateralTier(0, PPM),))
    return replace(venue, assets=(*venue.assets[:2], usdc))


def two_underlyings() -> EpochParams:
    """The option venue with an ETH-PERP on ETH (3,000 USD) beside the BTC-PERP."""
    venue = option_venue()
    eth = replace(venue.markets[0], symbol="ETH-PERP", mark=3_000 * USD, underlying="ETH")
    return replace(venue, markets=(venue.markets[0], eth))


@pytest.mark.parametrize(
    ("venue", "account", "maintenance"),
    [
        # 20 ETH (54,000 USD at 90%) beside a short BTC-PERP of 60,000 USD: ETH underlies no derivative here,
        # so it counts at its haircut only and the BTC book alone loses 9,600 USD at its worst (MM 7,680).
        (option_venue, pm(1, (16_000 * UNIT, 0, 20 * UNIT), perp=-UNIT), 7_680),
        # 120,000 USDC beside a short 2 BTC-PERP: a naked short, 19,200 USD at its worst (MM 15,360).
        (usdc_venue, pm(1, (10_000 * UNIT, 0, 120_000 * UNIT), perp=-2 * UNIT), 15_360),
    ],
    ids=["eth-beside-btc", "usdc-beside-btc"],
)
def test_a_long_in_one_underlying_no_longer_offsets_a_short_in_another(
    ci: Circuits, venue: object, account: Account, maintenance: int
) -> None:
    """FIXED (was: one move for every underlying netted a cross-asset book to MM 0). Each scenario now moves
    one scenario group (an underlying and its derivatives); spot outside the account's group counts at its
    haircut only, so neither book is hedged, and the circuit's class is the model's."""
    params = venue().circuit(CI)  # type: ignore[operator]
    health = evaluate(account, params)
    assert health.maintenance == maintenance * WEIGHTED_SCALE
    signals, _ = signals_of([account], venue())  # type: ignore[operator]
    ci.portfolio_prover.witness(signals)
    signals["healthy"][0] = 1 - signals["healthy"][0]
    rejected(ci.portfolio_prover, signals, "MarginClass")


def test_derivatives_on_two_underlyings_are_not_one_portfolio(ci: Circuits) -> None:
    """Long BTC-PERP against short ETH-PERP of the same notional: the eligibility rule (one scenario group)
    excludes it before proving, and no group the prover names lets both positions into one grid."""
    venue = two_underlyings()
    account = pm(1, (30_000 * UNIT, 0, 0), perp=UNIT)
    account = replace(account, positions=(UNIT, -20 * UNIT))
    with pytest.raises(SnapshotError, match="more than one underlying"):
        check_snapshot(venue, [account], CI)
    padded = [account] + [Account.padding(CI)] * (CI.batch_size - 1)
    signals, _, _ = batch_signals(padded, SALTS, ChainState.genesis(CI), venue.circuit(CI), BLIND, True)
    for group in (1, 2, 3 + 1, 0):  # BTC, ETH, the spare market's own group, none
        signals["group"][0] = group
        rejected(ci.portfolio_prover, signals, "ScenarioGroup")


def test_an_implied_volatility_the_mark_does_not_imply_is_refused() -> None:
    """FIXED (was: an iv of 4000% on a put marked 350 USD made each long put gain in all 35 cells). The
    published iv must be the mark's implied volatility: Black-76 at iv gives the mark within 1%."""
    honest = option_venue()
    soft = replace(honest, options=(honest.options[0], replace(honest.options[1], iv=40_000_000)))
    with pytest.raises(ParamsError, match=r"options\[1\] .*\.iv: must be the mark's implied volatility"):
        soft.circuit(CI)
    account = pm(1, ((12_000 + 120_000 - 13 * 350) * UNIT, 0, 0), perp=-2 * UNIT, options=(0, 13 * UNIT))
    fair = evaluate(account, honest.circuit(CI))
    assert fair.margin_class == LIQUIDATABLE and fair.maintenance > 18_900 * WEIGHTED_SCALE


# 2. One account in both regimes (ACCEPTED by the circuits and the audit; only the honest prover refuses).


def test_one_account_id_in_both_regimes_holds_one_market_twice(ci: Circuits) -> None:
    """WEAKNESS: check_snapshot refuses an account with both standard and portfolio records ("an account
    is margined under one regime"), but nothing in the circuits does: the portfolio key id is id | 2^47, a
    new account to AccountOrder, so the held flags reset and one market is held by two records of the same
    account_id, against the "one account, one check" rule. A chained standard batch and portfolio batch
    have witnesses. Only the trader can notice (two records carry their account_id)."""
    venue = option_venue()
    standard = Account(5, 0, (40_000 * UNIT, 0, 0), (UNIT,), (0, 0))
    portfolio = Account(5, 0, (40_000 * UNIT, 0, 0), (UNIT,), (0, 0), portfolio=True)
    with pytest.raises(SnapshotError, match="margined under one regime"):
        check_snapshot(venue, [standard, portfolio], CI)
    first, after = signals_of([standard], venue)
    ci.batch_prover.witness(first)
    second, _ = signals_of([portfolio], venue, after)
    assert second["accountId"][0] == 5 + PORTFOLIO_FLAG and second["positionMagnitude"][0][0] == UNIT
    ci.portfolio_prover.witness(second)


def test_the_regime_is_the_venues_label_so_a_standard_liquidatable_book_is_proven_healthy(
    ci: Circuits,
) -> None:
    """WEAKNESS: which regime margins an account is only the key's bit 47, chosen by the venue; the circuits
    and the audit accept any eligible account as portfolio. 100 BTC spot against 100 BTC-PERP short with
    20,000 USDT: under the standard rules (the trader's regime, say) MM is 58,700 USD (the 1% bracket on
    6,000,000 USD of notional): liquidatable; the same holdings labelled portfolio are proven healthy (MM 0).
    Only the trader, reading "margin" in their record, can object; the audit cannot count regime switches."""
    standard = Account(1, 0, (20_000 * UNIT, 100 * UNIT, 0), (-100 * UNIT,), (0, 0))
    params = option_venue().circuit(CI)
    as_standard, as_portfolio = (
        evaluate(standard, params),
        evaluate(replace(standard, portfolio=True), params),
    )
    assert as_standard.margin_class == LIQUIDATABLE and as_standard.maintenance == 58_700 * WEIGHTED_SCALE
    assert as_portfolio.margin_class == HEALTHY and as_portfolio.maintenance == 0
    signals, _ = signals_of([standard])
    signals["healthy"][0], signals["solvent"][0] = 1, 1
    rejected(ci.batch_prover, signals, "MarginClass")
    signals, _ = signals_of([replace(standard, portfolio=True)])
    ci.portfolio_prover.witness(signals)


# 3. Kinds, order and the eligibility minimum (negative results).


def test_standard_batch_after_a_portfolio_batch(ci: Circuits) -> None:
    """A standard batch that follows a portfolio batch, with a standard record or only padding, has no
    witness: its last id is the portfolio account's (>= 2^47), which BatchSolvency range-checks to 47 bits."""
    _, after = signals_of([pm(7, (20_000 * UNIT, 0, 0))])
    for accounts in ([Account(9, 0, (1_000 * UNIT, 0, 0), (0,), (0, 0))], []):
        signals, _ = signals_of(accounts, state=after, portfolio=False)
        rejected(ci.batch_prover, signals, "RangeCheck")


def test_real_portfolio_record_claiming_newaccount_0_to_skip_the_minimum(ci: Circuits) -> None:
    """The minimum is charged as newAccount * minEquity, so padding is exempt. A real record that claims
    newAccount = 0 (as if it continued the last account) to drop the minimum has no witness: PortfolioRecord
    ties newAccount to 1 - isPadding."""
    poor = pm(3, (9_000 * UNIT, 0, 0))
    signals, _ = signals_of([poor])
    signals["newAccount"][0] = 0
    rejected(ci.portfolio_prover, signals, "PortfolioRecord")


# 4. The range checks now done by the tier and bracket placements (negative results).


def cross(account_id: int = 1, btc: int = 2 * UNIT, perp: int = 0, portfolio: bool = False) -> Account:
    return Account(account_id, 0, (20_000 * UNIT, btc, 0), (perp,), (0, 0), portfolio=portfolio)


@pytest.mark.parametrize("portfolio", [False, True], ids=["batch", "portfolio"])
@pytest.mark.parametrize(
    ("sign", "magnitude", "tier"),
    [
        (0, 2**64, 2),  # packs like a zero debt (sign 1, magnitude 0), in the sentinel tier
        (0, 2**64 + 5, 2),  # just above every tier: the sentinel tier's upper bound is 2^64
        (0, 2**64 + 5, 1),  # above tier 1's floor, but not below the next floor
        (0, R - UNIT, 0),  # a debt of 1 BTC wrapped mod r with the sign of collateral
        (1, R - UNIT, 0),  # the same with the sign of a debt: a credit posing as a debt
    ],
    ids=["2^64", "2^64+5-sentinel", "2^64+5-tier1", "wrapped-credit", "wrapped-debt"],
)
def test_tiered_balance_beyond_64_bits_is_placed_in_no_tier(
    ci: Circuits, portfolio: bool, sign: int, magnitude: int, tier: int
) -> None:
    """A tiered balance's only range check is now its tier placement: no tier holds a magnitude of 2^64 or
    more (the floors are at most 2^64, the top bound the constant 2^64), nor a wrapped one, in either batch
    circuit, whichever tier the prover names."""
    signals, _ = signals_of([cross(portfolio=portfolio)], portfolio=portfolio)
    prover = ci.portfolio_prover if portfolio else ci.batch_prover
    prover.witness(signals)
    signals["balanceSign"][0][1], signals["balanceMagnitude"][0][1] = sign, magnitude
    signals["tierSel"][0][0] = [int(j == tier) for j in range(CI.tiers)]
    rejected(prover, signals, "TierPlacement")


@pytest.mark.parametrize(
    ("portfolio", "check"), [(False, "TierPlacement"), (True, "RangeCheck")], ids=["batch", "portfolio"]
)
@pytest.mark.parametrize("magnitude", [2**64, 2**65 + UNIT, R - UNIT], ids=["2^64", "2^65+1", "wrapped"])
def test_position_size_beyond_64_bits_in_either_batch_circuit(
    ci: Circuits, portfolio: bool, check: str, magnitude: int
) -> None:
    """A perpetual size is range-checked by its bracket placement (standard) or an explicit RangeCheck(64)
    (portfolio): 2^64 (which packs like a zero short), 2^65 + 1 (which carries into the next word) and a
    wrapped size have no witness in any bracket."""
    signals, _ = signals_of([cross(perp=UNIT, portfolio=portfolio)], portfolio=portfolio)
    prover = ci.portfolio_prover if portfolio else ci.batch_prover
    prover.witness(signals)
    signals["positionSign"][0][0], signals["positionMagnitude"][0][0] = 0, magnitude
    if not portfolio:
        for k in range(CI.brackets):
            signals["bracketSel"][0][0] = [int(j == k) for j in range(CI.brackets)]
            rejected(prover, signals, check)
    else:
        rejected(prover, signals, check)


@pytest.mark.parametrize("portfolio", [False, True], ids=["batch", "portfolio"])
def test_leaf_packing_overflow_from_a_position_into_the_next_word(ci: Circuits, portfolio: bool) -> None:
    """Positions share a packed leaf element (word 3 + 2^65 * word 4 + 2^130 * word 5 in the ci profile):
    adding 2^65 to market 0's size and taking 1 from market 1's word keeps the leaf and inflates the long.
    Market 0's size fails its placement or range check."""
    signals, _ = signals_of([cross(perp=UNIT, portfolio=portfolio)], portfolio=portfolio)
    signals["positionMagnitude"][0][0] += 2**65
    signals["positionSign"][0][1], signals["positionMagnitude"][0][1] = 0, R - 1
    prover = ci.portfolio_prover if portfolio else ci.batch_prover
    rejected(prover, signals, "TierPlacement" if not portfolio else "RangeCheck")


def test_margin_proof_opens_a_zero_short_as_a_long_of_2_pow_64(ci: Circuits) -> None:
    """The batch circuit accepts a zero amount with sign 1 (word 2^64). The margin circuit would read the
    same word as sign 0 and magnitude 2^64, a long worth 2^64 * mark: its only range check on sizes is now
    the bracket placement (AccountHealth), which has no bracket for it. The leaf and root are the
    real ones."""
    venue = option_venue()
    honest = replace(cross(btc=0), holder=holder_commitment(SECRET))
    alias = replace(honest, positions=(2**64,))  # leaf word 2^64 + 0, the same as a zero short's
    accounts = [alias, *[Account.padding(CI)] * 3]
    leaves = [leaf_hash(a, s, CI) for a, s in zip(accounts, SALTS, strict=True)]
    path = QuadTree(leaves, CI.tree_depth).path(0)
    signals, _ = margin_signals(honest, SALTS[0], path, venue.circuit(CI), 0, 0xBEEF, 1, SECRET, 0xCAFE)
    ci.margin_prover.witness(signals)  # the honest opening is of another leaf, but the constraints run
    signals["root"] = path.root(leaves[0])
    signals["positionSign"][0], signals["positionMagnitude"][0] = 0, 2**64
    for k in range(CI.brackets):
        signals["bracketSel"][0] = [int(j == k) for j in range(CI.brackets)]
        rejected(ci.margin_prover, signals, "TierPlacement")


# 5. The trader's check of a portfolio record (a completeness bug, not a soundness one).


def test_portfolio_trader_check_verifies_the_batch_with_its_kinds_key(ci: Circuits) -> None:
    """FIXED (completeness; was: verify_account checked every batch with keys["batch"]): an honest portfolio
    trader's inclusion check passes; the same batch claimed standard fails its pairing."""
    venue = option_venue()
    account = pm(4, (20_000 * UNIT, 0, 0))
    epoch, records = prove_epoch(venue, [account], (10**15, 10**10, 0), CI, ci.keys, 6, 77)
    assert [b.portfolio for b in epoch.batches] == [True]
    assert verify_epoch(epoch).valid
    batches = epoch_to_json(epoch)["batches"]
    assert verify_account(epoch, batches, records[0]).valid
    batches[0]["kind"] = "standard"
    assert verify_account(epoch, batches, records[0]).failed_check == "batch 0 proof"


def test_liquidatable_portfolio_account_is_counted_liquidatable(ci: Circuits) -> None:
    """Control for section 1: without the USDC, the same short 2 BTC-PERP is charged 15,360 USD of MM (16%
    of 120,000 USD, times 0.8); with 12,000 USD of equity it is liquidatable and has no healthy witness."""
    account = pm(1, (132_000 * UNIT, 0, 0), perp=-2 * UNIT)
    params = option_venue().circuit(CI)
    health = evaluate(account, params)
    assert health.equity == 12_000 * WEIGHTED_SCALE and health.maintenance == 15_360 * WEIGHTED_SCALE
    assert health.margin_class == LIQUIDATABLE
    signals, _ = signals_of([account])
    ci.portfolio_prover.witness(signals)
    signals["healthy"][0] = 1
    rejected(ci.portfolio_prover, signals, "MarginClass")
