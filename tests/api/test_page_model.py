"""The trader page's margin model (margin.js) and Black-76 Greeks (black76.js) against the verifier's,
through Node: the parameter hash, every account's figures, every position's value, margins and Greeks."""

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
from zksolvency.verifier.black76 import PRICE_BOUND, SECONDS_PER_YEAR, greeks
from zksolvency.verifier.fixedpoint import ONE, exp_parts, ln_ratio, normal_cdf, normal_pdf, sqrt_ratio
from zksolvency.verifier.formats import params_to_json
from zksolvency.verifier.margin import evaluate, usd
from zksolvency.verifier.params import PUT, Bracket, CircuitParams, EpochParams, OptionMargin
from zksolvency.verifier.positions import position_figures
from zksolvency.verifier.profiles import PROFILES

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")

MODEL = """
const P = require(process.argv[2]); const M = require(process.argv[3]);
const input = JSON.parse(require('fs').readFileSync(process.argv[4], 'utf8'));
P.load(JSON.parse(require('fs').readFileSync(process.argv[5], 'utf8')));
const out = input.variants.map((v) => {
  const params = M.circuitParams(v.params, input.profile, P.hashVector);
  return {hash: P.hashVector(params.vector).toString(), accounts: v.accounts.map(([b, p, o]) => {
    const account = {balances: b.map(BigInt), positions: p.map(BigInt), options: o.map(BigInt)};
    const h = M.evaluate(account, params);
    const figures = M.positionFigures(account, v.params, params).map(M.figuresJson);
    return [
      h.equity, h.maintenance, h.initial, h.free, h.available, h.netValue, h.shortfall, h.badDebt,
    ].map(String)
      .concat([M.usd(h.equity), M.usd(h.initial), M.usd(h.available), h.healthy, h.marginClass, figures]);
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
    bracket's MMR is raised to 60%), other option margin rates and the last series dropped: the defaults and
    the padding of margin.js are exercised."""

    def brackets(rows: tuple[Bracket, ...]) -> tuple[Bracket, ...]:
        top = Bracket(rows[-1].floor, max(rows[-1].rate, 600_000))
        return (*(Bracket(b.floor, b.rate) for b in rows[:-1]), top)

    markets = tuple(dataclasses.replace(m, brackets=brackets(m.brackets)) for m in params.markets)
    rates = OptionMargin(im_max=180_000, im_min=120_000, mm=90_000)
    return dataclasses.replace(params, markets=markets, option_margin=rates, options=params.options[:-1])


def _deep_put(params: EpochParams) -> EpochParams:
    """The last series replaced by a put struck at 3 times the spot and marked above the spot, so that its
    unit MM, max(mm * U, mm * mark) + mark, takes the mark-based term."""
    last = params.options[-1]
    spot = params.underlying_price(last)
    put = dataclasses.replace(
        last, symbol=f"{last.underlying}-DEEP-P", kind=PUT, strike=3 * spot, mark=2 * spot + 1
    )
    return dataclasses.replace(params, options=(*params.options[:-1], put))


def _expected(account: Account, params: EpochParams, circuit: CircuitParams) -> list[Any]:
    h = evaluate(account, circuit)
    figures = (h.equity, h.maintenance, h.initial, h.free, h.available, h.net_value, h.shortfall, h.bad_debt)
    positions = [p.to_json() for p in position_figures(account, params, circuit)]
    return [
        *map(str, figures),
        usd(h.equity),
        usd(h.initial),
        usd(h.available),
        h.healthy,
        h.margin_class,
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
    every = [*venue.accounts, *indebted]
    restated = _restated(venue.params)
    series = len(restated.options)
    # An old record (no options) and the accounts of a market with one series fewer.
    cut = [dataclasses.replace(a, options=a.options[:series]) for a in every]
    variants = [(venue.params, every), (restated, cut), (_deep_put(venue.params), every)]
    rows = [[[str(v) for v in x] for x in (a.balances, a.positions, a.options)] for a in every]
    data = {
        "profile": vars(profile),
        "variants": [
            {
                "params": params_to_json(params),
                "accounts": [[b, p, o[: len(params.options)]] for b, p, o in rows],
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
    assert {row[-2] for row in expected} == {"healthy", "liquidatable", "bankrupt"}
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
