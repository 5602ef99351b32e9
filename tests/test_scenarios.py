"""The scenario grid, shocked volatilities, risk arrays of spot, perpetuals and options, portfolio loss."""

from dataclasses import replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext

import black76_reference as ref
import pytest

from zksolvency.verifier.black76 import Greeks, call_price, greeks, put_price
from zksolvency.verifier.field import PPM, VALUE_SCALE, WEIGHTED_SCALE
from zksolvency.verifier.scenarios import (
    DERIBIT,
    VOL_DOWN,
    VOL_UNCHANGED,
    VOL_UP,
    OptionInputs,
    ScenarioError,
    option_array,
    perpetual_array,
    portfolio_loss,
    shocked_price,
    shocked_vols,
    spot_array,
)

USD = 10**8
UNIT = 10**8  # quanta per unit
DAY = 86_400
SPOT = 60_000 * USD
SHORT_CALL = OptionInputs(strike=70_000 * USD, seconds=30 * DAY, iv=550_000, mark=1_200 * USD, is_call=True)

#: The hand example (docs/risk-arrays.md): R of one 70,000 call held long, U = 60,000, IV 55%, 30 days, mark
#: 1,200, USD * 1e8 per unit, in scenario order.
SHORT_CALL_ARRAY = (
    -67474633271, -113673391216, -119425024263,   # -16%: vol up, unchanged, down
    -38417884377, -105941444686, -117953378300,   # -12%
    959665978, -91756094605, -113908413890,       # -8%
    52199436104, -68016592345, -104474089674,     # -4%
    116554740795, -31343648192, -85406683045,     # 0%
    194921951381, 21498062173, -51389327562,      # +4%
    287808880437, 93168635662, 3076169452,        # +8%
    395338002136, 185417673345, 82515302985,      # +12%
    517278056242, 298913308457, 189503120621,     # +16%
    -29090876403, -56241900128, 645767513530, 782143176693,  # -66%, -33%, +50%, +100% (vol up, counted part)
    870401554411, 900261042766, 915200000008, 924160000000,  # +200%, +300%, +400%, +500%
)  # fmt: skip


def test_the_grid_has_35_scenarios_in_the_documented_order() -> None:
    grid = DERIBIT.scenarios()
    assert len(grid) == 35
    moves = (-160_000, -120_000, -80_000, -40_000, 0, 40_000, 80_000, 120_000, 160_000)
    assert [(s.move_ppm, s.vol, s.fraction_ppm) for s in grid[:27]] == [
        (m, v, PPM) for m in moves for v in (VOL_UP, VOL_UNCHANGED, VOL_DOWN)
    ]
    assert grid[3 * 4 + 1].move_ppm == 0 and grid[3 * 4 + 1].vol == VOL_UNCHANGED
    extended = (-660_000, -330_000, 500_000, 1_000_000, 2_000_000, 3_000_000, 4_000_000, 5_000_000)
    assert [(s.move_ppm, s.vol) for s in grid[27:]] == [(m, VOL_UP) for m in extended]


def test_extended_fractions_are_the_published_weight_016_over_the_move_rounded_down() -> None:
    for scenario in DERIBIT.scenarios()[27:]:
        exact = Decimal(160_000) * PPM / abs(scenario.move_ppm)
        assert scenario.fraction_ppm == int(exact.to_integral_value(ROUND_FLOOR))


def test_rules_flatten_to_non_negative_integers_for_the_parameter_hash() -> None:
    flat = DERIBIT.to_ints()
    assert flat == (
        9, 840_000, 880_000, 920_000, 960_000, 1_000_000, 1_040_000, 1_080_000, 1_120_000, 1_160_000,
        8, 340_000, 670_000, 1_500_000, 2_000_000, 3_000_000, 4_000_000, 5_000_000, 6_000_000,
        242_424, 484_848, 320_000, 160_000, 80_000, 53_333, 40_000, 32_000,
        500_000, 250_000, 500_000, 0, 300_000, 130_000, 30, 800_000,
    )  # fmt: skip
    assert all(type(v) is int and 0 <= v < 2**32 for v in flat)
    assert replace(DERIBIT, vol_up_floor_ppm=400_000).to_ints() != flat
    assert replace(DERIBIT, mm_ratio_ppm=700_000).to_ints() != flat


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"price_moves_ppm": (0, -40_000)}, "price_moves_ppm must be strictly ascending"),
        ({"price_moves_ppm": ()}, "price_moves_ppm must be non-empty"),
        ({"extended_moves_ppm": (-1_000_000,)}, "extended_moves_ppm must be non-empty integers in"),
        ({"extended_fractions_ppm": (1,)}, "one integer in \\[0, 1000000\\] per extended move"),
        ({"vol_down_ppm": 1_000_001}, "vol_down_ppm must be at most 1000000"),
        ({"short_power_ppm": 1_000_001}, "short_power_ppm must be at most 1000000"),
        ({"vol_up_ppm": 10_000_001}, "vol_up_ppm must be at most 10000000"),
        ({"mm_ratio_ppm": -1}, "mm_ratio_ppm must be an integer in"),
        ({"reference_days": 0}, "reference_days must be at least 1"),
        ({"vol_up_ppm": 0.5}, "vol_up_ppm must be an integer"),
    ],
)
def test_bad_rules_are_refused_by_name(change: dict, message: str) -> None:
    rules = replace(DERIBIT, **change)
    with pytest.raises(ScenarioError, match=message):
        rules.to_ints()
    with pytest.raises(ScenarioError, match=message):
        spot_array(SPOT, rules)


def _exact_vols(iv: int, seconds: int) -> tuple[Decimal, Decimal]:
    with localcontext() as ctx:
        ctx.prec = ref.DIGITS
        power = Decimal("0.3") if seconds < 30 * DAY else Decimal("0.13")
        x = (Decimal(30 * DAY) / seconds) ** power
        return iv * (1 + Decimal("0.5") * x), iv * (1 - Decimal("0.25") * x)


@pytest.mark.parametrize("seconds", [60, 3_600, DAY, 7 * DAY, 30 * DAY - 1, 30 * DAY, 90 * DAY, 730 * DAY])
@pytest.mark.parametrize("iv", [200_000, 550_000, 1_500_000])
def test_shocked_vols_round_outward_from_the_exact_shock(seconds: int, iv: int) -> None:
    up, same, down = shocked_vols(iv, seconds)
    exact_up, exact_down = _exact_vols(iv, seconds)
    assert same == iv
    assert up == max(int(exact_up.to_integral_value(ROUND_CEILING)), 500_000)
    assert down == max(int(exact_down.to_integral_value(ROUND_FLOOR)), 0)


def test_shocked_vols_at_30_days_are_exactly_one_and_a_half_and_three_quarters() -> None:
    assert shocked_vols(550_000, 30 * DAY) == (825_000, 550_000, 412_500)


def test_vol_up_is_floored_at_50_percent_and_vol_down_at_0() -> None:
    assert shocked_vols(200_000, 30 * DAY)[0] == 500_000
    assert shocked_vols(550_000, 60)[2] == 0  # (30 days / 1 minute)^0.3 > 4
    assert shocked_vols(550_000, 0) == (550_000, 550_000, 550_000)


def test_hand_example_short_call_array_and_margin() -> None:
    """Short 1 BTC 70,000 call, U = 60,000, IV 55%, 30 days, mark 1,200 (margin-rules.md's worked example)."""
    array = option_array(SPOT, SHORT_CALL)
    assert array == SHORT_CALL_ARRAY
    margin = portfolio_loss([-UNIT], [array])
    assert margin.worst == 34  # +500%, vol up, counted at 3.2%
    assert margin.initial == 9_241_60 * WEIGHTED_SCALE // 100  # 9,241.60 USD
    assert margin.maintenance == 7_393_28 * WEIGHTED_SCALE // 100  # 0.8 of it
    standard = max(UNIT * r for r in array[:27])
    assert standard == 5_172_78056242 * VALUE_SCALE // USD  # +16%, vol up: 5,172.78 USD


def test_hand_example_array_matches_the_reference_values() -> None:
    vols = dict(zip((VOL_UP, VOL_UNCHANGED, VOL_DOWN), shocked_vols(550_000, 30 * DAY), strict=True))
    for scenario, counted in zip(DERIBIT.scenarios(), SHORT_CALL_ARRAY, strict=True):
        shocked = shocked_price(SPOT, scenario.move_ppm)
        assert shocked == SPOT * (PPM + scenario.move_ppm) // PPM
        exact = (
            ref.price(shocked, SHORT_CALL.strike, vols[scenario.vol], SHORT_CALL.seconds, True)
            - SHORT_CALL.mark
        )
        full = (
            call_price(shocked, SHORT_CALL.strike, vols[scenario.vol], SHORT_CALL.seconds) - SHORT_CALL.mark
        )
        assert abs(full - exact) <= Decimal("0.5000001")
        truncated = abs(full) * scenario.fraction_ppm // PPM
        assert counted == (truncated if full >= 0 else -truncated)


def test_delta_hedged_short_straddle_is_worst_in_an_extreme_move() -> None:
    strike, seconds, iv = SPOT, 30 * DAY, 550_000
    call = OptionInputs(strike, seconds, iv, call_price(SPOT, strike, iv, seconds), is_call=True)
    put = OptionInputs(strike, seconds, iv, put_price(SPOT, strike, iv, seconds), is_call=False)
    hedge = greeks(SPOT, strike, iv, seconds, True).delta + greeks(SPOT, strike, iv, seconds, False).delta
    arrays = [option_array(SPOT, call), option_array(SPOT, put), perpetual_array(SPOT)]
    margin = portfolio_loss([-UNIT, -UNIT, hedge], arrays)
    assert DERIBIT.scenarios()[margin.worst].move_ppm in (-660_000, 5_000_000)
    assert margin.worst >= 27
    standard_worst = max(margin.losses[:27])
    assert margin.losses[margin.worst] > standard_worst > 0
    # marks at the model value: nothing moves, nothing is lost
    assert margin.losses[3 * 4 + 1] == 0


def test_perpetual_array_is_linear_in_the_move_and_blind_to_volatility() -> None:
    mark = 61_234_50000000  # divisible by 25: every standard move is exact
    array = perpetual_array(mark)
    for scenario, change in zip(DERIBIT.scenarios()[:27], array, strict=False):
        assert change * PPM == mark * scenario.move_ppm
    for i in range(9):
        assert array[3 * i] == array[3 * i + 1] == array[3 * i + 2]
    for scenario, change in zip(DERIBIT.scenarios()[27:], array[27:], strict=True):
        full = mark * scenario.move_ppm // PPM
        assert change == (1 if full >= 0 else -1) * (abs(full) * scenario.fraction_ppm // PPM)
        # an extended move, counted, loses a delta-one holder no more than the 16% edge of the grid
        assert abs(change) <= abs(array[0])


def test_spot_and_perpetual_arrays_floor_the_shocked_price() -> None:
    price = 123_456_789
    spot = spot_array(price)
    assert spot == perpetual_array(price)
    assert spot[0] == price * 840_000 // PPM - price
    assert spot[26] == price * 1_160_000 // PPM - price
    assert all(type(r) is int for r in spot)


def test_extended_rounding_is_toward_zero_for_gains_and_losses_alike() -> None:
    price = 1_000_003
    array = spot_array(price)
    for scenario, change in zip(DERIBIT.scenarios()[27:], array[27:], strict=True):
        full = shocked_price(price, scenario.move_ppm) - price
        exact = Decimal(full) * scenario.fraction_ppm / PPM
        assert abs(change) <= abs(exact) < abs(change) + 1
        assert (change >= 0) == (full >= 0)


def test_portfolio_loss_is_minus_the_position_weighted_sum() -> None:
    spot, perp = spot_array(SPOT), perpetual_array(SPOT + 25 * USD)
    call = option_array(SPOT, SHORT_CALL)
    positions = [3 * UNIT // 2, -2 * UNIT, -UNIT // 4]
    margin = portfolio_loss(positions, [spot, perp, call])
    for s, loss in enumerate(margin.losses):
        assert loss == -(positions[0] * spot[s] + positions[1] * perp[s] + positions[2] * call[s])
    worst = max(margin.losses)
    assert margin.worst == margin.losses.index(worst)
    assert margin.initial == max(worst, 0) * PPM
    assert margin.maintenance * PPM == margin.initial * 800_000
    assert all(type(v) is int for v in (*margin.losses, margin.initial, margin.maintenance))


def test_a_long_spot_holder_worst_is_the_largest_fall_and_a_flat_book_needs_nothing() -> None:
    margin = portfolio_loss([UNIT], [spot_array(SPOT)])
    assert margin.worst == 0  # -16%, the first of its three equal vol states
    assert margin.initial == 9_600 * WEIGHTED_SCALE
    empty = portfolio_loss([], [])
    assert empty.initial == empty.maintenance == 0 and set(empty.losses) == {0}


def test_same_inputs_give_the_same_arrays() -> None:
    assert option_array(SPOT, SHORT_CALL) == option_array(SPOT, SHORT_CALL)


@pytest.mark.parametrize(
    ("positions", "arrays", "message"),
    [
        ([UNIT], [], "1 positions but 0 risk arrays"),
        ([1.5], [SHORT_CALL_ARRAY], "position 0: quantity must be an integer"),
        ([UNIT], [SHORT_CALL_ARRAY[:27]], "position 0: the risk array must hold 35 integers, got 27"),
    ],
)
def test_bad_portfolios_are_refused(positions: list, arrays: list, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        portfolio_loss(positions, arrays)


@pytest.mark.parametrize(
    ("series", "message"),
    [
        (replace(SHORT_CALL, strike=0), "strike 0 is outside"),
        (replace(SHORT_CALL, mark=-1), "option mark -1 is outside"),
        (replace(SHORT_CALL, iv=2**32), "option iv .* is outside"),
        (replace(SHORT_CALL, seconds=-1), "option seconds -1 is outside"),
        (replace(SHORT_CALL, is_call=1), "option is_call must be a boolean"),
    ],
)
def test_bad_option_series_are_refused_by_field(series: OptionInputs, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        option_array(SPOT, series)
    with pytest.raises(ScenarioError, match="underlying 0 is outside"):
        option_array(0, SHORT_CALL)


def test_the_worked_example_of_docs_risk_arrays() -> None:
    """docs/risk-arrays.md section 7: 0.5 BTC long spot, 0.3 BTC-PERP short at mark 60,050, the short call."""
    arrays = [spot_array(SPOT), perpetual_array(60_050 * USD), option_array(SPOT, SHORT_CALL)]
    margin = portfolio_loss([UNIT // 2, -3 * UNIT // 10, -UNIT], arrays)
    assert [arrays[0][s] for s in (13, 24, 34)] == [0, 960_000_000_000, 960_000_000_000]
    assert [arrays[1][s] for s in (13, 24, 34)] == [0, 960_800_000_000, 960_800_000_000]
    assert margin.losses[13] == -313_43648192 * VALUE_SCALE // USD
    assert margin.losses[24] == 3_255_18056242 * VALUE_SCALE // USD
    assert margin.losses[34] == 7_324 * VALUE_SCALE
    assert margin.worst == 34
    assert (margin.initial, margin.maintenance) == (7_324 * WEIGHTED_SCALE, 5_859_20 * WEIGHTED_SCALE // 100)
    assert call_price(SPOT, SHORT_CALL.strike, 550_000, 30 * DAY) == 88_656_351_808
    assert greeks(SPOT, SHORT_CALL.strike, 550_000, 30 * DAY, True) == Greeks(
        18_438_585,
        281_559_737_047,
        4_582_095_447,
    )


def test_a_shocked_price_of_zero_values_the_option_at_its_limit() -> None:
    """U = 2 (USD * 1e8): -66% floors it to 0, where a call is worth 0 and a put its strike."""
    put = replace(SHORT_CALL, strike=3, mark=1, is_call=False)
    assert shocked_price(2, -660_000) == 0
    array = option_array(2, put)
    assert array[27] == (3 - 1) * 242_424 // PPM  # counted part of K - mark
    assert option_array(2, replace(put, is_call=True))[27] == -(1 * 242_424 // PPM)
