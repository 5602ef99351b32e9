"""The reference model against the worked examples of margin-rules.md, at the statement's scales."""

from dataclasses import replace

import pytest
from factories import UNIT, USD, venue, worked_example

from zksolvency.verifier.account import Account, AccountError
from zksolvency.verifier.field import PPM, WEIGHTED_SCALE
from zksolvency.verifier.margin import evaluate, usd
from zksolvency.verifier.params import Asset, Bracket, CollateralTier, EpochParams, ParamsError, PerpMarket
from zksolvency.verifier.profiles import PROFILES
from zksolvency.verifier.vocabulary import usd_decimal

REFERENCE = PROFILES["reference"]


def test_worked_example_maintenance_and_equity() -> None:
    health = evaluate(worked_example(), venue().circuit(REFERENCE))
    assert health.maintenance == 4_200 * WEIGHTED_SCALE
    assert health.equity == 10_000 * WEIGHTED_SCALE
    assert health.net_value == 10_000 * WEIGHTED_SCALE
    assert health.free == 5_800 * WEIGHTED_SCALE
    assert health.brackets[0] == 2
    assert health.healthy


@pytest.mark.parametrize(("mark", "healthy"), [(54_414.15, True), (54_414.14, False)])
def test_worked_example_liquidation_price_54414_14(mark: float, healthy: bool) -> None:
    health = evaluate(worked_example(), venue(mark_usd=mark).circuit(REFERENCE))
    assert health.healthy is healthy
    assert health.margin_class == ("healthy" if healthy else "liquidatable")
    if not healthy:
        assert "below maintenance margin" in health.in_words


def test_binance_tiered_collateral_6000_btc_at_20000() -> None:
    account = Account(7, 0, balances=(0, 6_000 * UNIT, 0))
    health = evaluate(account, venue(mark_usd=20_000, btc_price=20_000).circuit(REFERENCE))
    assert health.collateral_value == 119_500_000 * WEIGHTED_SCALE
    assert health.tiers[1] == 1


def test_debt_counts_at_full_value_and_haircut_applies_to_collateral() -> None:
    # 1 ETH at 3,000 counts 2,700 (90%); a 2,700 USDT loan against it is exactly at the limit.
    params = venue().circuit(REFERENCE)
    assert evaluate(Account(2, 0, (-2_700 * UNIT, 0, 1 * UNIT)), params).free == 0
    assert not evaluate(Account(2, 0, (-2_700 * UNIT - 1, 0, 1 * UNIT)), params).healthy


def test_negative_equity_is_bankrupt() -> None:
    health = evaluate(Account(3, 0, (-1, 0, 0)), venue().circuit(REFERENCE))
    assert health.margin_class == "bankrupt"
    assert health.bad_debt == WEIGHTED_SCALE // UNIT and health.shortfall == 0
    assert "insurance fund" in health.in_words


def test_usd_formatting() -> None:
    assert usd(4_200 * WEIGHTED_SCALE) == "4200.00"  # no thousands separator (docs/json.md)
    assert usd(-WEIGHTED_SCALE // 2) == "-0.50"


def test_params_errors_name_the_field() -> None:
    bad = EpochParams((Asset("USDT", 10**8, (CollateralTier(0, 1_000_001),)),), ())
    with pytest.raises(ParamsError, match=r"assets\[0\] \(USDT\)\.tiers\[0\]\.rate"):
        bad.circuit(REFERENCE)
    rising = EpochParams((Asset("BTC", 10**8, (CollateralTier(0, 900_000), CollateralTier(5, 950_000))),), ())
    with pytest.raises(ParamsError, match=r"tiers\[1\]\.rate: must be at most the previous rate"):
        rising.circuit(REFERENCE)


def test_account_errors_name_the_account_and_field() -> None:
    message = r"account 9: balances\[1\] = 18446744073709551616 is out of range"
    with pytest.raises(AccountError, match=message):
        Account(9, 0, (0, 2**64)).validate(REFERENCE)


def _with_equity_and_mm(equity_usd: int) -> tuple[Account, EpochParams]:
    """A 500,000 USD long on a 2% flat bracket (MM 10,000 USD) with `equity_usd` of haircut equity."""
    params = EpochParams(
        (
            Asset("USDT", USD, (CollateralTier(0, PPM),)),
            Asset("BTC", 50_000 * USD, (CollateralTier(0, PPM),)),
        ),
        (PerpMarket("BTC-PERP", 50_000 * USD, (Bracket(0, 20_000),)),),
    )
    # 10 BTC long at mark 50,000 (position value 500,000) and a quote balance of equity - 500,000 USDT.
    return Account(1, 0, ((equity_usd - 500_000) * UNIT, 0), (10 * UNIT,)), params


def test_equity_5000_against_mm_10000_is_liquidatable_with_shortfall_5000() -> None:
    account, params = _with_equity_and_mm(5_000)
    health = evaluate(account, params.circuit(REFERENCE))
    assert (health.equity, health.maintenance) == (5_000 * WEIGHTED_SCALE, 10_000 * WEIGHTED_SCALE)
    assert health.margin_class == "liquidatable"
    assert (health.shortfall, health.bad_debt) == (5_000 * WEIGHTED_SCALE, 0)
    assert usd_decimal(health.shortfall) == "5000"


def test_equity_minus_1000_is_bankrupt_with_bad_debt_1000() -> None:
    account, params = _with_equity_and_mm(-1_000)
    health = evaluate(account, params.circuit(REFERENCE))
    assert health.margin_class == "bankrupt"
    assert (health.shortfall, health.bad_debt) == (0, 1_000 * WEIGHTED_SCALE)
    assert usd_decimal(health.bad_debt) == "1000"


def test_class_boundaries_are_exact() -> None:
    at_mm, params = _with_equity_and_mm(10_000)
    circuit = params.circuit(REFERENCE)
    assert evaluate(at_mm, circuit).margin_class == "healthy"
    below = Account(1, 0, (at_mm.balances[0] - 1, 0), at_mm.positions)
    assert evaluate(below, circuit).margin_class == "liquidatable"
    zero, _ = _with_equity_and_mm(0)
    assert evaluate(zero, circuit).margin_class == "liquidatable"
    assert (
        evaluate(Account(1, 0, (zero.balances[0] - 1, 0), zero.positions), circuit).margin_class == "bankrupt"
    )


def test_usd_decimal_is_exact() -> None:
    assert usd_decimal(5_000 * WEIGHTED_SCALE) == "5000"
    assert usd_decimal(-WEIGHTED_SCALE // 4) == "-0.25"
    assert usd_decimal(1) == "0.0000000000000000000001"


def test_settlement_asset_must_have_one_tier() -> None:
    tiered = EpochParams((Asset("USDT", USD, (CollateralTier(0, PPM), CollateralTier(UNIT, 900_000))),), ())
    with pytest.raises(ParamsError, match=r"assets\[0\] \(USDT\)\.tiers: must be a single tier"):
        tiered.circuit(REFERENCE)


def test_isolated_subaccount_holds_only_the_settlement_asset() -> None:
    with pytest.raises(
        AccountError, match=r"account 4/1: balances\[1\] is not 0: .* holds only the settlement asset"
    ):
        Account(4, 1, (0, 5, 0)).validate(REFERENCE)
    Account(4, 1, (-5, 0, 0), (1,)).validate(REFERENCE)


def test_labels_hash_covers_symbols_and_insurance() -> None:
    base = venue()
    relabelled = replace(base, assets=(*base.assets[:2], replace(base.assets[2], symbol="WETH")))
    insured = replace(base, assets=(replace(base.assets[0], insurance=UNIT), *base.assets[1:]))
    hashes = {p.circuit(REFERENCE).hash for p in (base, relabelled, insured)}
    assert len(hashes) == 3
