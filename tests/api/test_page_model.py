"""The trader page's margin model (margin.js), Black-76 (black76.js) and scenario grid (scenarios.js) against
the verifier's, through Node: the parameter hash, every account's figures (portfolio accounts' scenario losses
included), every position's value, margins and Greeks, random risk arrays."""

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path
from random import Random
from typing import Any

import pytest

from zksolvency.api.routes.trader import STATIC, _constants
from zksolvency.prover.sample import sample_venue
from zksolvency.verifier.account import Account
from zksolvency.verifier.black76 import PRICE_BOUND, SECONDS_PER_YEAR, greeks, option_price
from zksolvency.verifier.fixedpoint import ONE, exp_parts, ln_ratio, normal_cdf, normal_pdf, sqrt_ratio
from zksolvency.verifier.formats import params_to_json
from zksolvency.verifier.margin import evaluate, usd
from zksolvency.verifier.params import (
    PUT,
    Bracket,
    CircuitParams,
    EpochParams,
    OptionMargin,
    PortfolioRules,
)
from zksolvency.verifier.positions import position_figures
from zksolvency.verifier.profiles import PROFILES
from zksolvency.verifier.scenarios import (
    DERIBIT,
    OptionInputs,
    option_array,
    perpetual_array,
    shocked_vols,
    spot_array,
)

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")

MODEL = """
const P = require(process.argv[2]); const M = require(process.argv[3]);
const input = JSON.parse(require('fs').readFileSync(process.argv[4], 'utf8'));
P.load(JSON.parse(require('fs').readFileSync(process.argv[5], 'utf8')));
const out = input.variants.map((v) => {
  const params = M.circuitParams(v.params, input.profile, P.hashVector);
  return {hash: P.hashVector(params.vector).toString(), accounts: v.accounts.map(([b, p, o, portfolio]) => {
    const account = {balances: b.map(BigInt), positions: p.map(BigInt), options: o.map(BigInt), portfolio};
    const h = M.evaluate(account, params);
    const figures = M.positionFigures(account, v.params, params).map(M.figuresJson);
    const grid = h.scenario && [h.scenario.losses.map(String), h.scenario.worst];
    return [
      h.equity, h.maintenance, h.initial, h.free, h.available, h.netValue, h.shortfall, h.badDebt,
    ].map(String)
      .concat([M.usd(h.equity), M.usd(h.initial), M.usd(h.available), h.healthy, h.marginClass, grid])
      .concat([figures]);
  })};
});
console.log(JSON.stringify(out));
"""

GREEKS = """
const B = require(process.argv[2]);
const input = JSON.parse(require('fs').readFileSync(process.argv[3], 'utf8'));
const big = (xs) => xs.map(BigInt);
console.log(JSON.stringify({
  greeks: input.greeks.map(([u, k, s, t, call]) => {
    const g = B.greeks(...big([u, k, s, t]), call);
    return [g.delta, g.gamma, g.vega].map(String);
  }),
  fixed: input.fixed.map(([x, a, b]) => [
    B.normalCdf(BigInt(x)), B.normalPdf(BigInt(x)), ...B.expParts(BigInt(x)), B.lnRatio(...big([a, b])),
    B.sqrtRatio(...big([a, b])),
  ].map(String)),
}));
"""


def _node(tmp_path: Path, script: str, *args: str) -> Any:
    path = tmp_path / "check.js"
    path.write_text(script)
    done = subprocess.run(["node", str(path), *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _restated(params: EpochParams) -> EpochParams:
    """The same market with every bracket's IM rate left to its default (2 x MMR, at most 100%: the top
    bracket's MMR is raised to 60%), other option margin rates, the last series dropped and a portfolio
    minimum of 25,000.5 USD: the defaults and the padding of margin.js are exercised."""

    def brackets(rows: tuple[Bracket, ...]) -> tuple[Bracket, ...]:
        top = Bracket(rows[-1].floor, max(rows[-1].rate, 600_000))
        return (*(Bracket(b.floor, b.rate) for b in rows[:-1]), top)

    markets = tuple(dataclasses.replace(m, brackets=brackets(m.brackets)) for m in params.markets)
    rates = OptionMargin(im_max=180_000, im_min=120_000, mm=90_000)
    return dataclasses.replace(
        params,
        markets=markets,
        option_margin=rates,
        options=params.options[:-1],
        portfolio=PortfolioRules(min_equity=25_000_50_000_000),
    )


def _deep_put(params: EpochParams) -> EpochParams:
    """The last series replaced by a put struck at 3 times the spot, marked (above the spot) at Black-76 at
    its iv, so that its unit MM, max(mm * U, mm * mark) + mark, takes the mark-based term."""
    last = params.options[-1]
    spot = params.underlying_price(last)
    mark = option_price(spot, 3 * spot, last.iv, last.expiry - params.time, False)
    put = dataclasses.replace(last, symbol=f"{last.underlying}-DEEP-P", kind=PUT, strike=3 * spot, mark=mark)
    return dataclasses.replace(params, options=(*params.options[:-1], put))


def _expected(account: Account, params: EpochParams, circuit: CircuitParams) -> list[Any]:
    h = evaluate(account, circuit)
    figures = (h.equity, h.maintenance, h.initial, h.free, h.available, h.net_value, h.shortfall, h.bad_debt)
    positions = [p.to_json() for p in position_figures(account, params, circuit)]
    grid = h.scenario and [[str(x) for x in h.scenario.losses], h.scenario.worst]
    return [
        *map(str, figures),
        usd(h.equity),
        usd(h.initial),
        usd(h.available),
        h.healthy,
        h.margin_class,
        grid,
        positions,
    ]


@pytest.mark.parametrize("profile_name", ["ci", "reference"])
def test_margin_js_is_the_verifiers_model(profile_name: str, tmp_path: Path) -> None:
    profile = PROFILES[profile_name]
    venue = sample_venue(300, seed=8, profile=profile)
    # The sample is healthy; the same accounts with settlement debt added are liquidatable or bankrupt.
    indebted = [
        dataclasses.replace(a, balances=(a.balances[0] - 10**8 * 10**k, *a.balances[1:]))
        for a in venue.accounts[:40]
        for k in range(3, 8)
    ]
    # The cross accounts margined by the scenario grid instead (portfolio accounts hold no subaccount).
    cross = [a for a in [*venue.accounts, *indebted] if not a.subaccount]
    portfolio = [dataclasses.replace(a, portfolio=True) for a in cross]
    every = [*venue.accounts, *indebted, *portfolio]
    restated = _restated(venue.params)
    series = len(restated.options)
    # An old record (no options) and the accounts of a market with one series fewer.
    cut = [dataclasses.replace(a, options=a.options[:series]) for a in every]
    variants = [(venue.params, every), (restated, cut), (_deep_put(venue.params), every)]
    held = [(a.balances, a.positions, a.options, a.portfolio) for a in every]
    rows = [[*([str(v) for v in x] for x in lists), portfolio] for *lists, portfolio in held]
    data = {
        "profile": vars(profile),
        "variants": [
            {
                "params": params_to_json(params),
                "accounts": [[b, p, o[: len(params.options)], f] for b, p, o, f in rows],
            }
            for params, _ in variants
        ],
    }
    (tmp_path / "input.json").write_text(json.dumps(data))
    (tmp_path / "constants.json").write_text(json.dumps(_constants()))
    files = (
        STATIC / "poseidon.js",
        STATIC / "margin.js",
        tmp_path / "input.json",
        tmp_path / "constants.json",
    )
    out = _node(tmp_path, MODEL, *map(str, files))
    expected = []
    for got, (params, accounts) in zip(out, variants, strict=True):
        circuit = params.circuit(profile)
        assert got["hash"] == str(circuit.hash)
        want = [_expected(a, params, circuit) for a in accounts]
        assert got["accounts"] == want
        expected += want
    figures = [row for row in expected if row[-1]]
    assert any(int(row[1]) > 0 for row in expected)  # positions with margin due are covered
    assert {row[-3] for row in expected} == {"healthy", "liquidatable", "bankrupt"}
    grids = [row for row in expected if row[-2]]
    assert len(grids) == 3 * sum(a.portfolio for a in every) and len({row[-2][1] for row in grids}) > 3
    assert any(int(row[2]) > 0 for row in grids) and any(row[2] == "0" for row in grids)
    assert all(p["initial_margin_usd"] is None for row in grids for p in row[-1])
    kinds = {p["kind"] for row in figures for p in row[-1]}
    assert kinds == {"perpetual", "call", "put"}, kinds  # every kind of position, with its Greeks
    shorts = [p for row in figures for p in row[-1] if p["kind"] != "perpetual" and p["size"].startswith("-")]
    assert shorts and all(p["initial_margin_usd"] != "0" for p in shorts)
    assert any(row[2] != row[1] for row in expected)  # initial margin is not maintenance margin


def _draw(rng: Random) -> tuple[int, int, int, int, bool]:
    """A Black-76 input: half like the sample's series (strikes from 0.3 to 3 times the spot, volatilities
    up to 300%, up to 3 years), half over the whole domain with its edges (U = 0, U = K, sigma = 0, t = 0)."""
    call = rng.random() < 0.5
    if rng.random() < 0.5:
        spot = rng.randrange(10**6, 10**14)
        strike = max(1, spot * rng.randrange(300, 3000) // 1000)
        return spot, strike, rng.randrange(1, 3 * 10**6), rng.randrange(1, 3 * SECONDS_PER_YEAR), call
    spot = rng.choice([0, rng.randrange(1, PRICE_BOUND), rng.randrange(10**6, 10**14)])
    strike = rng.choice([spot or 1, rng.randrange(1, PRICE_BOUND), rng.randrange(10**6, 10**14)])
    sigma = rng.choice([0, rng.randrange(1, 3 * 10**6), rng.randrange(1, 2**64)])
    seconds = rng.choice([0, 1, rng.randrange(1, 3 * SECONDS_PER_YEAR), rng.randrange(1, 2**40)])
    return spot, strike, sigma, seconds, call


def test_black76_js_is_the_verifiers_greeks_bit_for_bit(tmp_path: Path) -> None:
    rng = Random(76)
    draws = [_draw(rng) for _ in range(2000)]
    fixed = [
        (rng.choice([rng.randrange(-12 * ONE, 12 * ONE), rng.randrange(-(2**200), 2**200)]),
         rng.randrange(1, 2**80), rng.randrange(1, 2**80))
        for _ in range(300)
    ]  # fmt: skip
    data = {
        "greeks": [[*map(str, d[:4]), d[4]] for d in draws],
        "fixed": [[str(x) for x in f] for f in fixed],
    }
    (tmp_path / "input.json").write_text(json.dumps(data))
    out = _node(tmp_path, GREEKS, str(STATIC / "black76.js"), str(tmp_path / "input.json"))
    expected = [[str(x) for x in (g.delta, g.gamma, g.vega)] for g in (greeks(*d) for d in draws)]
    assert out["greeks"] == expected
    assert len({g[0] for g in expected}) > 900  # most draws are not at an edge
    values = [
        [normal_cdf(x), normal_pdf(x), *exp_parts(x), ln_ratio(a, b), sqrt_ratio(a, b)] for x, a, b in fixed
    ]
    assert out["fixed"] == [[str(v) for v in row] for row in values]


RISK = """
const S = require(process.argv[2]);
const input = JSON.parse(require('fs').readFileSync(process.argv[3], 'utf8'));
const strings = (xs) => xs.map(String);
console.log(JSON.stringify({
  options: input.options.map(([u, strike, seconds, iv, mark, isCall]) => strings(S.optionArray(BigInt(u), {
    strike: BigInt(strike), seconds: BigInt(seconds), iv: BigInt(iv), mark: BigInt(mark), isCall,
  }, S.DERIBIT))),
  prices: input.prices.map((p) => strings(S.priceArray(BigInt(p), S.DERIBIT))),
  vols: input.vols.map(([iv, seconds]) => strings(S.shockedVols(BigInt(iv), BigInt(seconds), S.DERIBIT))),
  rules: strings(S.toInts(S.DERIBIT)),
}));
"""


def _series(rng: Random) -> tuple[int, OptionInputs]:
    """An option's risk-array inputs: mostly like a venue's series (strikes 0.3 to 3 times the spot, up to
    300% volatility, up to 3 years, marks near their value), some over the whole domain (prices to 2^64, the
    day of expiry, a zero mark, huge volatilities)."""
    call = rng.random() < 0.5
    if rng.random() < 0.7:
        spot = rng.randrange(10**6, 10**14)
        strike = max(1, spot * rng.randrange(300, 3000) // 1000)
        month = 30 * 86_400
        seconds = rng.choice([rng.randrange(1, month), rng.randrange(month, 3 * SECONDS_PER_YEAR)])
        mark = rng.randrange(0, spot // 5)
        return spot, OptionInputs(strike, seconds, rng.randrange(1, 3 * 10**6), mark, call)
    spot = rng.choice([1, rng.randrange(1, 2**64)])
    strike = rng.choice([spot, rng.randrange(1, 2**64)])
    seconds = rng.choice([0, 1, 30 * 86_400, rng.randrange(1, 2**32)])
    iv = rng.choice([0, rng.randrange(1, 2**32)])
    return spot, OptionInputs(strike, seconds, iv, rng.randrange(0, 2**64), call)


def test_scenarios_js_is_the_verifiers_risk_arrays_bit_for_bit(tmp_path: Path) -> None:
    rng = Random(35)
    series = [_series(rng) for _ in range(300)]
    prices = [rng.choice([1, rng.randrange(1, 2**64), rng.randrange(10**6, 10**14)]) for _ in range(200)]
    vols = [(rng.randrange(0, 2**32), rng.choice([0, rng.randrange(1, 2**32)])) for _ in range(500)]
    data = {
        "options": [[str(u), str(o.strike), o.seconds, o.iv, str(o.mark), o.is_call] for u, o in series],
        "prices": [str(p) for p in prices],
        "vols": vols,
    }
    (tmp_path / "input.json").write_text(json.dumps(data))
    out = _node(tmp_path, RISK, str(STATIC / "scenarios.js"), str(tmp_path / "input.json"))
    assert out["options"] == [[str(r) for r in option_array(u, o)] for u, o in series]
    assert out["prices"] == [[str(r) for r in spot_array(p)] for p in prices]
    assert out["prices"] == [[str(r) for r in perpetual_array(p)] for p in prices]
    assert out["vols"] == [[str(v) for v in shocked_vols(iv, t)] for iv, t in vols]
    assert out["rules"] == [str(x) for x in DERIBIT.to_ints()]
    # Most draws carry time value: the shocked volatility changes the price (vol up against vol down at -16%).
    assert sum(row[0] != row[2] for row in out["options"]) > 200
