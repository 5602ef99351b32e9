"""The reference model against the worked examples of margin-rules.md, at the statement's scales."""

import pytest
from factories import UNIT, venue, worked_example

from zksolvency.verifier.account import Account, AccountError
from zksolvency.verifier.field import WEIGHTED_SCALE
from zksolvency.verifier.margin import evaluate, usd
from zksolvency.verifier.params import Asset, CollateralTier, EpochParams, ParamsError
from zksolvency.verifier.profiles import PROFILES

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
    if not healthy:
        assert "below maintenance margin" in health.failures[0]


def test_binance_tiered_collateral_6000_btc_at_20000() -> None:
    account = Account(7, 0, balances=(0, 6_000 * UNIT, 0))
    health = evaluate(account, venue(btc_price=20_000).circuit(REFERENCE))
    assert health.collateral_value == 119_500_000 * WEIGHTED_SCALE
    assert health.tiers[1] == 1


def test_debt_counts_at_full_value_and_haircut_applies_to_collateral() -> None:
    # 1 ETH at 3,000 counts 2,700 (90%); a 2,700 USDT loan against it is exactly at the limit.
    params = venue().circuit(REFERENCE)
    assert evaluate(Account(2, 0, (-2_700 * UNIT, 0, 1 * UNIT)), params).free == 0
    assert not evaluate(Account(2, 0, (-2_700 * UNIT - 1, 0, 1 * UNIT)), params).healthy


def test_negative_net_value_is_named() -> None:
    health = evaluate(Account(3, 0, (-1, 0, 0)), venue().circuit(REFERENCE))
    assert any("negative net value" in f for f in health.failures)


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
