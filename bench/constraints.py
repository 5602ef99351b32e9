"""What each part of the circuits costs in R1CS constraints, per account, for one profile.

Compiles every part as its own small main component (circom --O2 --inspect) under
build/bench-constraints/<profile>/<part>/, takes the three whole circuits (the standard batch, the
portfolio batch and the margin circuit) from the build cache, and prints one JSON object on stdout;
progress goes to stderr.

A part compiled alone can cost more than inside the circuits: the circuits feed some inputs with the
constant 0 (tier floor 0, tier base 0, bracket floor 0, cumulative amount 0; a portfolio record is
never isolated and always solvent), which makes a few products linear, and --O2 then removes them; and a
main component's outputs are public, so a linear constraint on them alone (EpochParameters' and
RiskParameters' outputs) cannot be removed. For those parts a second main component, a small wrapper
that feeds the constants and drops the outputs as the circuits do, gives `constraints_in_context`, and
`per_account` uses it. For each batch circuit the per-account parts add up to its marginal cost of one
more account (`reconciliation`).

    python bench/constraints.py --profile reference
"""

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from zksolvency.prover.circuits import COMPILER, CircuitInfo, build, compile_main
from zksolvency.prover.toolchain import BUILD, ROOT
from zksolvency.verifier.profiles import PROFILES, Profile, get_profile

OUTPUT = BUILD / "bench-constraints"
LIB = "circuits/lib"
BATCH = "circuits/batch_solvency.circom"
PORTFOLIO = "circuits/portfolio_batch.circom"
MARGIN = "circuits/account_margin.circom"

#: The circuits, by their kind in zksolvency.prover.circuits.
STANDARD_KIND, PORTFOLIO_KIND, MARGIN_KIND = "batch", "portfolio_batch", "margin"
BATCHES = (STANDARD_KIND, PORTFOLIO_KIND)
ALL = (STANDARD_KIND, PORTFOLIO_KIND, MARGIN_KIND)
#: Issue 10's bar, reference profile: constraints per account of each batch circuit.
BAR = {STANDARD_KIND: 4_000, PORTFOLIO_KIND: 10_000}

# Wrappers named Bench<key>, with the template's parameters: the template as the circuits use it.
IN_CONTEXT = {
    "TieredCollateral": """
/* TieredCollateral(T) as AccountValue uses it: floor[0] = base[0] = 0 (EpochParameters). */
template BenchTieredCollateral(T) {
    signal input x;
    signal input floorAbove[T - 1];
    signal input rate[T];
    signal input baseAbove[T - 1];
    signal input sel[T];
    signal output value;
    var floor[T];
    var base[T];
    floor[0] = 0;
    base[0] = 0;
    for (var j = 1; j < T; j++) {
        floor[j] = floorAbove[j - 1];
        base[j] = baseAbove[j - 1];
    }
    value <== TieredCollateral(T)(x, floor, rate, base, sel);
}
""",
    "TieredMaintenance": """
/* TieredMaintenance(K) as AccountHealth uses it: sizeFloor[0] = cum[0] = 0 (EpochParameters). */
template BenchTieredMaintenance(K) {
    signal input size;
    signal input mark;
    signal input sizeFloorAbove[K - 1];
    signal input rate[K];
    signal input cumAbove[K - 1];
    signal input sel[K];
    signal output margin;
    var sizeFloor[K];
    var cum[K];
    sizeFloor[0] = 0;
    cum[0] = 0;
    for (var k = 1; k < K; k++) {
        sizeFloor[k] = sizeFloorAbove[k - 1];
        cum[k] = cumAbove[k - 1];
    }
    margin <== TieredMaintenance(K)(size, mark, sizeFloor, rate, cum, sel);
}
""",
    "AccountValue": """
/*
 * AccountValue(A, M, S, T) as both batch circuits use it: the first tier floor and base are 0
 * (EpochParameters); equity, debt, long and short only enter linear sums (totals, scenario quantities).
 */
template BenchAccountValue(A, M, S, T) {
    signal input balanceSign[A];
    signal input balanceMagnitude[A];
    signal input positionSign[M];
    signal input positionMagnitude[M];
    signal input optionSign[S];
    signal input optionMagnitude[S];
    signal input price[A];
    signal input tierFloorAbove[A][T - 1];
    signal input tierRate[A][T];
    signal input tierBaseAbove[A][T - 1];
    signal input mark[M];
    signal input optionMark[S];
    signal input tierSel[A - 1][T];
    signal output value;
    var tierFloor[A][T];
    var tierBase[A][T];
    for (var a = 0; a < A; a++) {
        tierFloor[a][0] = 0;
        tierBase[a][0] = 0;
        for (var j = 1; j < T; j++) {
            tierFloor[a][j] = tierFloorAbove[a][j - 1];
            tierBase[a][j] = tierBaseAbove[a][j - 1];
        }
    }
    component account = AccountValue(A, M, S, T);
    account.balanceSign <== balanceSign;
    account.balanceMagnitude <== balanceMagnitude;
    account.positionSign <== positionSign;
    account.positionMagnitude <== positionMagnitude;
    account.optionSign <== optionSign;
    account.optionMagnitude <== optionMagnitude;
    account.price <== price;
    account.tierFloor <== tierFloor;
    account.tierRate <== tierRate;
    account.tierBase <== tierBase;
    account.mark <== mark;
    account.optionMark <== optionMark;
    account.tierSel <== tierSel;
    _ <== account.equity;
    _ <== account.debt;
    _ <== account.long;
    _ <== account.short;
    _ <== account.optionLong;
    _ <== account.optionShort;
    value <== account.value;
}
""",
    "AccountHealth": """
/*
 * AccountHealth(A, M, S, T, K) as the batch circuit uses it: the first tier floor and base and the first
 * bracket floor and cumulative amount are 0 (EpochParameters); equity, debt, long and short only
 * enter linear sums.
 */
template BenchAccountHealth(A, M, S, T, K) {
    signal input balanceSign[A];
    signal input balanceMagnitude[A];
    signal input positionSign[M];
    signal input positionMagnitude[M];
    signal input optionSign[S];
    signal input optionMagnitude[S];
    signal input optionMark[S];
    signal input optionMaintenance[S];
    signal input price[A];
    signal input tierFloorAbove[A][T - 1];
    signal input tierRate[A][T];
    signal input tierBaseAbove[A][T - 1];
    signal input mark[M];
    signal input bracketFloorAbove[M][K - 1];
    signal input bracketRate[M][K];
    signal input bracketCumAbove[M][K - 1];
    signal input tierSel[A - 1][T];
    signal input bracketSel[M][K];
    signal output value;
    signal output free;
    var tierFloor[A][T];
    var tierBase[A][T];
    for (var a = 0; a < A; a++) {
        tierFloor[a][0] = 0;
        tierBase[a][0] = 0;
        for (var j = 1; j < T; j++) {
            tierFloor[a][j] = tierFloorAbove[a][j - 1];
            tierBase[a][j] = tierBaseAbove[a][j - 1];
        }
    }
    var bracketFloor[M][K];
    var bracketCum[M][K];
    for (var m = 0; m < M; m++) {
        bracketFloor[m][0] = 0;
        bracketCum[m][0] = 0;
        for (var k = 1; k < K; k++) {
            bracketFloor[m][k] = bracketFloorAbove[m][k - 1];
            bracketCum[m][k] = bracketCumAbove[m][k - 1];
        }
    }
    component health = AccountHealth(A, M, S, T, K);
    health.balanceSign <== balanceSign;
    health.balanceMagnitude <== balanceMagnitude;
    health.positionSign <== positionSign;
    health.positionMagnitude <== positionMagnitude;
    health.optionSign <== optionSign;
    health.optionMagnitude <== optionMagnitude;
    health.optionMark <== optionMark;
    health.optionMaintenance <== optionMaintenance;
    health.price <== price;
    health.tierFloor <== tierFloor;
    health.tierRate <== tierRate;
    health.tierBase <== tierBase;
    health.mark <== mark;
    health.bracketFloor <== bracketFloor;
    health.bracketRate <== bracketRate;
    health.bracketCum <== bracketCum;
    health.tierSel <== tierSel;
    health.bracketSel <== bracketSel;
    _ <== health.equity;
    _ <== health.debt;
    _ <== health.long;
    _ <== health.short;
    _ <== health.optionLong;
    _ <== health.optionShort;
    _ <== health.maintenance;
    value <== health.value;
    free <== health.free;
}
""",
    "EpochParameters": """
/* EpochParameters(A, M, S, T, K) with its outputs internal, as in the circuits. */
template BenchEpochParameters(A, M, S, T, K) {
    signal input vector[ParamsLength(A, M, S, T, K)];
    signal input hash;
    component epoch = EpochParameters(A, M, S, T, K);
    epoch.vector <== vector;
    epoch.hash <== hash;
    _ <== epoch.initialHash;
    _ <== epoch.riskHash;
    _ <== epoch.optionMark;
    _ <== epoch.optionMaintenance;
    _ <== epoch.price;
    _ <== epoch.tierFloor;
    _ <== epoch.tierRate;
    _ <== epoch.tierBase;
    _ <== epoch.mark;
    _ <== epoch.bracketFloor;
    _ <== epoch.bracketRate;
    _ <== epoch.bracketCum;
}
""",
    "RiskParameters": """
/* RiskParameters(A, M, S, C) with its outputs internal, as in the portfolio batch circuit. */
template BenchRiskParameters(A, M, S, C) {
    signal input vector[RiskLength(A, M, S, C)];
    signal input hash;
    component grid = RiskParameters(A, M, S, C);
    grid.vector <== vector;
    grid.hash <== hash;
    _ <== grid.minEquity;
    _ <== grid.mmRatio;
    _ <== grid.group;
    _ <== grid.risk;
}
""",
    "ScenarioGroup": """
/* ScenarioGroup(A, M, S) as PortfolioBatch uses it: shocked quantities only enter scenario products. */
template BenchScenarioGroup(A, M, S) {
    var I = A - 1 + M + S;
    signal input quantity[I];
    signal input group[I];
    signal input chosen;
    component exposure = ScenarioGroup(A, M, S);
    exposure.quantity <== quantity;
    exposure.group <== group;
    exposure.chosen <== chosen;
    _ <== exposure.shocked;
}
""",
    "PortfolioClass": """
/*
 * MarginClass(bits) as the portfolio batch circuit uses it: MM = required * mmRatio, the eligibility
 * minimum as the solvency test (value - newAccount * minEquity * 1e14 >= 0), solvent the constant 1.
 */
template BenchPortfolioClass(bits) {
    signal input value;
    signal input required;
    signal input mmRatio;
    signal input newAccount;
    signal input minEquity;
    signal input healthy;
    signal output liquidatable;
    signal output shortfall;
    signal maintenance <== required * mmRatio;
    component class = MarginClass(bits);
    class.value <== value - newAccount * minEquity * 100000000000000;
    class.free <== value - maintenance;
    class.healthy <== healthy;
    class.solvent <== 1;
    _ <== class.bankrupt;
    _ <== class.badDebt;
    liquidatable <== class.liquidatable;
    shortfall <== class.shortfall;
}
""",
    "PortfolioHolding": """
/* OneRecordPerHolding(A, M, S) as PortfolioBatch uses it: a portfolio record is never isolated. */
template BenchPortfolioHolding(A, M, S) {
    signal input newAccount;
    signal input balanceMagnitude[A];
    signal input positionMagnitude[M];
    signal input optionMagnitude[S];
    signal input heldBefore[M];
    signal output heldAfter[M];
    heldAfter <== OneRecordPerHolding(A, M, S)(0, newAccount, balanceMagnitude, positionMagnitude,
                                               optionMagnitude, heldBefore);
}
""",
}


@dataclass(frozen=True)
class Part:
    """One measured part: how to compile it and how often one account pays for it."""

    key: str  # the part's name in the report; also the directory it is compiled in
    include: str  # file the main component includes, relative to the repository root
    args: Callable[[Profile], str]  # the template's arguments
    per: str  # account, batch, asset, market, leaf, scenario or proof
    count: Callable[[Profile], Fraction]  # instances of this part that one account (or proof) costs
    circuits: tuple[str, ...]  # the circuits that hold it
    note: str
    within: str | None = None  # the part this one is nested in, if any
    kind: str | None = None  # a whole circuit, taken from zksolvency.prover.circuits.build
    name: str | None = None  # the template, where the key names one use of it

    def template(self, profile: Profile) -> str:
        """The template instantiation, as in `component main = ...`."""
        return f"{self.name or self.key}({self.args(profile)})"

    def wrapper(self, profile: Profile) -> str:
        """The in-context wrapper's instantiation (IN_CONTEXT)."""
        return f"Bench{self.key}({self.args(profile)})"


@dataclass(frozen=True)
class Reconciliation:
    """A batch circuit and the parts that make it up."""

    kind: str  # the circuit kind
    whole: str  # the part that is the whole circuit
    per_batch: dict[str, int]  # parts whose number does not grow with the batch size, with their number
    per_account: tuple[str, ...]  # parts whose per_account shares add up to the marginal cost of an account


def _one(p: Profile) -> Fraction:
    """One instance per account (or per margin proof)."""
    return Fraction(1)


def _batch_share(count: int) -> Callable[[Profile], Fraction]:
    """`count` instances per batch, shared by the batch's accounts."""
    return lambda p: Fraction(count, p.batch_size)


def _sizes(p: Profile) -> str:
    """A, M, S, T, K."""
    return f"{p.assets}, {p.markets}, {p.options}, {p.tiers}, {p.brackets}"


def _book(p: Profile) -> str:
    """A, M, S."""
    return f"{p.assets}, {p.markets}, {p.options}"


def _initial(p: Profile) -> str:
    """M, S, K."""
    return f"{p.markets}, {p.options}, {p.brackets}"


PARTS: tuple[Part, ...] = (
    Part(
        "SignedAmount",
        f"{LIB}/range.circom",
        lambda p: "",
        "account",
        lambda p: Fraction(1 + p.options),
        ALL,
        "a signed amount with its own 64-bit range check: the settlement asset's balance and each option "
        "position",
        within="AccountValue",
    ),
    Part(
        "SignedParts",
        f"{LIB}/range.circom",
        lambda p: "",
        "account",
        lambda p: Fraction(p.assets - 1 + p.markets),
        ALL,
        "sign bit and parts of a tiered balance or a perpetual size, whose range check is its tier or "
        "bracket placement (standard) or PositionRangeCheck (portfolio sizes)",
        within="AccountValue",
    ),
    Part(
        "TieredCollateral",
        f"{LIB}/tiers.circom",
        lambda p: f"{p.tiers}",
        "asset",
        lambda p: Fraction(p.assets - 1),
        ALL,
        "one tiered asset's tier placement (the balance's range check) and haircut value; the settlement "
        "asset is linear",
        within="AccountValue",
    ),
    Part(
        "AccountValue",
        f"{LIB}/account.circom",
        lambda p: f"{p.assets}, {p.markets}, {p.options}, {p.tiers}",
        "account",
        _one,
        ALL,
        "haircut equity of one account, the same under both regimes (inside AccountHealth for a standard "
        "account, directly in PortfolioBatch)",
        within="AccountHealth",
    ),
    Part(
        "TieredMaintenance",
        f"{LIB}/tiers.circom",
        lambda p: f"{p.brackets}",
        "market",
        lambda p: Fraction(p.markets),
        (STANDARD_KIND, MARGIN_KIND),
        "one position's bracket placement (the size's range check) and maintenance margin",
        within="AccountHealth",
    ),
    Part(
        "AccountHealth",
        f"{LIB}/account.circom",
        _sizes,
        "account",
        _one,
        (STANDARD_KIND, MARGIN_KIND),
        "all margin rules of one standard account: AccountValue, bracketed MM, short-option MM",
    ),
    Part(
        "MarginClass",
        f"{LIB}/account.circom",
        lambda p: "CLASS_BITS()",
        "account",
        _one,
        (STANDARD_KIND,),
        "healthy, liquidatable or bankrupt, shortfall and bad debt: two 128-bit (CLASS_BITS) range checks",
    ),
    Part(
        "AccountOrder",
        BATCH,
        lambda p: "",
        "account",
        _one,
        (STANDARD_KIND,),
        "strictly increasing keys, one account's records together, padding",
    ),
    Part(
        "OneRecordPerHolding",
        BATCH,
        _book,
        "account",
        _one,
        (STANDARD_KIND,),
        "tiered assets and options only in cross subaccounts, each market in one record of an account",
    ),
    Part(
        "PaddingIsEmpty",
        BATCH,
        _book,
        "account",
        _one,
        BATCHES,
        "a padding account holds nothing",
    ),
    Part(
        "AccountLeaf",
        f"{LIB}/account.circom",
        _book,
        "account",
        _one,
        ALL,
        "packing and hashing of the account's Merkle leaf",
    ),
    Part(
        "QuadRoot",
        f"{LIB}/merkle.circom",
        lambda p: f"{p.batch_levels}",
        "leaf",
        _batch_share(1),
        BATCHES,
        "the batch subtree over 4^LEVELS leaves; per_account is its cost per leaf",
    ),
    Part(
        "EpochParameters",
        f"{LIB}/params.circom",
        _sizes,
        "batch",
        _batch_share(1),
        ALL,
        "parameter hash, 64-bit prices and marks, tier bases; once per batch and once per margin proof",
    ),
    Part(
        "StateOpening",
        BATCH,
        _book,
        "batch",
        _batch_share(2),
        BATCHES,
        "opening of a chain state; twice per batch (previous and next)",
    ),
    Part(
        "LastIdBelowFlag",
        f"{LIB}/range.circom",
        lambda p: "47",
        "batch",
        _batch_share(1),
        (STANDARD_KIND,),
        "RangeCheck(47) of the batch's last id: no portfolio account (bit 47) in a standard batch; once per "
        "batch",
        name="RangeCheck",
    ),
    Part(
        "PositionRangeCheck",
        f"{LIB}/range.circom",
        lambda p: "64",
        "market",
        lambda p: Fraction(p.markets),
        (PORTFOLIO_KIND,),
        "RangeCheck(64) of each perpetual size of a portfolio record (a standard record's bracket placement "
        "does it)",
        name="RangeCheck",
    ),
    Part(
        "ScenarioGroup",
        f"{LIB}/portfolio.circom",
        _book,
        "account",
        _one,
        (PORTFOLIO_KIND,),
        "margin per underlying: each derivative held in the record's chosen scenario group, only that "
        "group's spot shocked (an IsZero per instrument, a product per spot or derivative)",
    ),
    Part(
        "ScenarioRangeCheck",
        f"{LIB}/portfolio.circom",
        lambda p: "SCENARIO_BITS()",
        "scenario",
        lambda p: Fraction(p.scenarios + 1),
        (PORTFOLIO_KIND,),
        "RangeCheck(SCENARIO_BITS) of required - loss_s, one per scenario and one for the floor 0",
        within="ScenarioMargin",
        name="RangeCheck",
    ),
    Part(
        "ScenarioMargin",
        f"{LIB}/portfolio.circom",
        lambda p: f"{p.portfolio_instruments}, {p.scenarios}",
        "account",
        _one,
        (PORTFOLIO_KIND,),
        "the scenario-grid requirement max(0, max_s loss_s) over I = A - 1 + M + S instruments and C "
        "scenarios",
    ),
    Part(
        "PortfolioClass",
        f"{LIB}/account.circom",
        lambda p: "CLASS_BITS()",
        "account",
        _one,
        (PORTFOLIO_KIND,),
        "MM = required * mmRatio, the eligibility minimum as the solvency test, healthy or liquidatable and "
        "shortfall: MarginClass(CLASS_BITS) with solvent = 1",
        name="MarginClass",
    ),
    Part(
        "PortfolioRecord",
        PORTFOLIO,
        lambda p: "",
        "account",
        _one,
        (PORTFOLIO_KIND,),
        "AccountOrder with subaccount 0, one record per account, the id's bit 47 (RangeCheck(47))",
    ),
    Part(
        "PortfolioHolding",
        BATCH,
        _book,
        "account",
        _one,
        (PORTFOLIO_KIND,),
        "OneRecordPerHolding with isolated = 0: the held markets carried as in the standard batches",
        name="OneRecordPerHolding",
    ),
    Part(
        "RiskParameters",
        f"{LIB}/params.circom",
        lambda p: f"{_book(p)}, {p.scenarios}",
        "batch",
        _batch_share(1),
        (PORTFOLIO_KIND,),
        "the risk vector (4 + I * (1 + C) elements: a group and C entries per instrument) and its hash, "
        "the parameter vector's third element; once per portfolio batch",
    ),
    Part(
        "QuadPathRoot",
        f"{LIB}/merkle.circom",
        lambda p: f"{p.tree_depth}",
        "proof",
        _one,
        (MARGIN_KIND,),
        "inclusion path of depth DEPTH; one per margin proof (a proof per account that asks for one)",
        within="AccountMargin",
    ),
    Part(
        "InitialParameters",
        f"{LIB}/params.circom",
        _initial,
        "proof",
        _one,
        (MARGIN_KIND,),
        "the initial-margin vector and its hash, the parameter vector's second element; one per margin proof",
        within="AccountMargin",
    ),
    Part(
        "InitialMargin",
        f"{LIB}/account.circom",
        _initial,
        "proof",
        _one,
        (MARGIN_KIND,),
        "bracketed IM of each perpetual and unit IM of each short option; one per margin proof",
        within="AccountMargin",
    ),
    Part(
        "AvailableAboveThreshold",
        MARGIN,
        lambda p: "CLASS_BITS()",
        "proof",
        _one,
        (MARGIN_KIND,),
        "equity - IM >= threshold: a 64-bit and a 128-bit range check; one per margin proof",
        within="AccountMargin",
    ),
    Part(
        "Nullifier",
        MARGIN,
        lambda p: "",
        "proof",
        _one,
        (MARGIN_KIND,),
        "Poseidon(5) of the domain, key, salt, secret and scope; one per margin proof",
        within="AccountMargin",
    ),
    Part(
        "BatchSolvency",
        "",
        lambda p: f"{p.batch_levels}, {_sizes(p)}",
        "batch",
        _batch_share(1),
        (STANDARD_KIND,),
        "the whole standard batch circuit (build cache); per_account is its total over the batch's accounts",
        kind=STANDARD_KIND,
    ),
    Part(
        "PortfolioBatch",
        "",
        lambda p: f"{p.batch_levels}, {_sizes(p)}, {p.scenarios}",
        "batch",
        _batch_share(1),
        (PORTFOLIO_KIND,),
        "the whole portfolio batch circuit (build cache); per_account is its total over the batch's accounts",
        kind=PORTFOLIO_KIND,
    ),
    Part(
        "AccountMargin",
        "",
        lambda p: f"{p.tree_depth}, {_sizes(p)}",
        "proof",
        _one,
        (MARGIN_KIND,),
        "the whole margin circuit (build cache); one proof per account that asks for one",
        kind=MARGIN_KIND,
    ),
)
BY_KEY = {part.key: part for part in PARTS}

#: Each batch circuit against its parts.
RECONCILIATIONS = (
    Reconciliation(
        STANDARD_KIND,
        "BatchSolvency",
        {"EpochParameters": 1, "StateOpening": 2, "LastIdBelowFlag": 1},
        (
            "AccountHealth",
            "MarginClass",
            "AccountOrder",
            "OneRecordPerHolding",
            "PaddingIsEmpty",
            "AccountLeaf",
            "QuadRoot",
        ),
    ),
    Reconciliation(
        PORTFOLIO_KIND,
        "PortfolioBatch",
        {"EpochParameters": 1, "RiskParameters": 1, "StateOpening": 2},
        (
            "AccountValue",
            "PositionRangeCheck",
            "ScenarioGroup",
            "ScenarioMargin",
            "PortfolioClass",
            "PortfolioRecord",
            "PortfolioHolding",
            "PaddingIsEmpty",
            "AccountLeaf",
            "QuadRoot",
        ),
    ),
)
#: Nested parts: the part, the parts measured inside it (with their per-account counts), and what the rest is.
NESTED = {
    "AccountValue": (
        ("SignedAmount", "SignedParts", "TieredCollateral"),
        "the settlement asset's rate product, A price * (collateral - debt) products, A - 1 "
        "tiered-collateral sign products, M mark * size and S option mark * position products",
    ),
    "AccountHealth": (
        ("AccountValue", "TieredMaintenance"),
        "S short-option maintenance products",
    ),
    "ScenarioMargin": (
        ("ScenarioRangeCheck",),
        "I * C quantity * risk products, the one-hot worst scenario (C + 1 bits) and its selection (C + 1 "
        "products)",
    ),
}
#: Measured parts of AccountMargin, one instance each.
MARGIN_PARTS = (
    "EpochParameters",
    "AccountHealth",
    "AccountLeaf",
    "QuadPathRoot",
    "InitialParameters",
    "InitialMargin",
    "AvailableAboveThreshold",
    "Nullifier",
)


def machine() -> dict[str, Any]:
    """Platform, CPU count and total memory of this machine."""
    memory = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    return {
        "platform": platform.platform(),
        "processor": platform.processor(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "memory_bytes": memory,
        "python": platform.python_version(),
    }


def compiler_version() -> str | None:
    """Version of the pinned circom compiler package."""
    package = ROOT / "node_modules" / COMPILER[0] / "package.json"
    return json.loads(package.read_text()).get("version") if package.exists() else None


def directory(part: Part, profile: Profile) -> Path:
    """Where `part` is compiled for `profile`."""
    return OUTPUT / profile.name / part.key


def measure(part: Part, profile: Profile) -> CircuitInfo:
    """Sizes of `part` compiled as a main component, or of a whole circuit from the build cache."""
    if part.kind is not None:
        return build(part.kind, profile).info
    source = f'include "{part.include}";\n\ncomponent main = {part.template(profile)};\n'
    return compile_main(directory(part, profile), part.key, source)


def measure_in_context(part: Part, profile: Profile) -> CircuitInfo | None:
    """Sizes of `part` inside its wrapper from IN_CONTEXT, if it has one."""
    wrapper = IN_CONTEXT.get(part.key)
    if wrapper is None:
        return None
    source = f'include "{part.include}";\n{wrapper}\ncomponent main = {part.wrapper(profile)};\n'
    return compile_main(directory(part, profile), f"{part.key}_in_context", source)


def amount(value: Fraction, digits: int = 2) -> int | float:
    """An exact count as an int, else a float rounded to `digits` decimals."""
    return int(value) if value.denominator == 1 else round(float(value), digits)


def percent(part: Fraction, whole: Fraction) -> float:
    """`part` as a percentage of `whole`, to one decimal."""
    return round(float(100 * part / whole), 1)


def share(name: str, profile: Profile, counts: dict[str, int]) -> Fraction:
    """What one account pays for part `name`: its size times its count per account."""
    return counts[name] * BY_KEY[name].count(profile)


def reconcile(how: Reconciliation, profile: Profile, counts: dict[str, int]) -> dict[str, Any]:
    """A batch circuit against its parts: marginal cost of an account vs the per-account parts."""
    p = profile
    total = counts[how.whole]
    per_batch = sum(counts[name] * n for name, n in how.per_batch.items())
    marginal = Fraction(total - per_batch, p.batch_size)
    shares = {name: share(name, p, counts) for name in how.per_account}
    parts_sum = sum(shares.values(), Fraction(0))
    return {
        "per_batch_parts": per_batch,
        "per_batch_parts_per_account": amount(Fraction(per_batch, p.batch_size)),
        "marginal_per_account": amount(marginal),
        "per_account_parts_sum": amount(parts_sum),
        "marginal_minus_parts_sum": amount(marginal - parts_sum),
        "breakdown": [
            {"part": name, "per_account": amount(value), "percent_of_marginal": percent(value, marginal)}
            for name, value in sorted(shares.items(), key=lambda item: -item[1])
        ],
    }


def batch_summary(
    how: Reconciliation, profile: Profile, direct: dict[str, int], effective: dict[str, int]
) -> dict[str, Any]:
    """One batch circuit: its size, its cost per account, the bar, and its reconciliation with its parts."""
    p = profile
    per_account = Fraction(direct[how.whole], p.batch_size)
    raw = reconcile(how, p, direct)
    del raw["breakdown"]
    per_batch = " + ".join(f"{n} * {name}" if n > 1 else name for name, n in how.per_batch.items())
    parts = " + ".join(
        f"{name} / batch_size" if BY_KEY[name].per == "leaf" else name for name in how.per_account
    )
    return {
        "circuit": how.kind,
        "batch_size": p.batch_size,
        "constraints": direct[how.whole],
        "constraints_per_account": amount(per_account),
        "bar": bar(how.kind, p, per_account),
        **reconcile(how, p, effective),
        "direct_mains": raw,
        "note": (
            f"marginal_per_account = ({how.whole} - ({per_batch})) / batch_size; per_account_parts_sum = "
            f"{parts} (each times its count per account); both with constraints_in_context where a part has "
            "it. direct_mains: the same with every part compiled alone."
        ),
    }


def bar(kind: str, profile: Profile, per_account: Fraction) -> dict[str, Any]:
    """Issue 10's bar for a batch circuit, which applies to the reference profile."""
    return {
        "limit_per_account": BAR[kind],
        "applies": profile.name == "reference",
        "met": per_account <= BAR[kind],
    }


def nested(name: str, profile: Profile, effective: dict[str, int]) -> dict[str, Any]:
    """A part and the parts measured inside it, per instance of it."""
    inner, rest = NESTED[name]
    outer = BY_KEY[name].count(profile)
    shares = {part: share(part, profile, effective) / outer for part in inner}
    return {
        "constraints": effective[name],
        "parts": {part: amount(value) for part, value in shares.items()},
        "rest": amount(effective[name] - sum(shares.values(), Fraction(0))),
        "note": (
            "in context; parts: "
            + ", ".join(f"{part} x {amount(BY_KEY[part].count(profile) / outer)}" for part in inner)
            + f"; rest: {rest}"
        ),
    }


def summarise(profile: Profile, direct: dict[str, int], in_context: dict[str, int]) -> dict[str, Any]:
    """Reconcile the parts with the whole circuits."""
    effective = direct | in_context
    batches = {how.kind: batch_summary(how, profile, direct, effective) for how in RECONCILIATIONS}
    margin_sum = sum(effective[name] for name in MARGIN_PARTS)
    return {
        "constraints_per_account": {
            **{kind: summary["constraints_per_account"] for kind, summary in batches.items()},
            MARGIN_KIND: direct["AccountMargin"],
        },
        **batches,
        **{_snake(name): nested(name, profile, effective) for name in NESTED},
        MARGIN_KIND: {
            "constraints": direct["AccountMargin"],
            "parts_sum": margin_sum,
            "rest": direct["AccountMargin"] - margin_sum,
            "note": (
                f"in context; parts: {' + '.join(MARGIN_PARTS)}; rest: NonZero(key), the key's "
                "RangeCheck(63), the seal Poseidon(2)(salt, holder), Holder, the scope's RangeCheck(224), "
                "the binding square"
            ),
        },
    }


def _snake(name: str) -> str:
    """AccountHealth -> account_health."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def entry(
    part: Part, profile: Profile, info: CircuitInfo, context: CircuitInfo | None, seconds: float
) -> dict[str, Any]:
    """The report's line for one part."""
    count = part.count(profile)
    effective = (context or info).constraints
    line: dict[str, Any] = {"key": part.key, "part": part.template(profile), "constraints": info.constraints}
    if context is not None:
        line["constraints_in_context"] = context.constraints
    line |= {
        "per": part.per,
        "count_per_account": amount(count, 6),
        "per_account": amount(effective * count),
    }
    if part.per == "leaf":
        line["per_leaf"] = amount(Fraction(effective, profile.batch_size))
    line["circuits"] = list(part.circuits)
    if part.within is not None:
        line["within"] = part.within
    line |= {
        "wires": info.wires,
        "inputs": info.public_inputs + info.private_inputs,
        "seconds": round(seconds, 2),
        "source": "build cache" if part.kind else str(directory(part, profile).relative_to(ROOT)),
        "note": part.note,
    }
    return line


def run(profile: Profile, console: Console) -> dict[str, Any]:
    """Measure every part of `profile` and build the report."""
    start = time.perf_counter()
    direct: dict[str, int] = {}
    in_context: dict[str, int] = {}
    parts: list[dict[str, Any]] = []
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task(profile.name, total=len(PARTS))
        for part in PARTS:
            progress.update(task, description=f"{profile.name}: {part.template(profile)}")
            began = time.perf_counter()
            info = measure(part, profile)
            context = measure_in_context(part, profile)
            seconds = time.perf_counter() - began
            for measured in (info, context):
                if measured is not None and measured.constraints == 0:
                    console.print(f"[yellow]warning:[/] {part.template(profile)} compiles to 0 constraints")
            direct[part.key] = info.constraints
            if context is not None:
                in_context[part.key] = context.constraints
            parts.append(entry(part, profile, info, context, seconds))
            progress.advance(task)
    return {
        "what": "constraints per circuit part",
        "profile": {
            "name": profile.name,
            "assets": profile.assets,
            "markets": profile.markets,
            "tiers": profile.tiers,
            "brackets": profile.brackets,
            "batch_levels": profile.batch_levels,
            "batch_size": profile.batch_size,
            "tree_depth": profile.tree_depth,
            "options": profile.options,
            "scenarios": profile.scenarios,
            "portfolio_instruments": profile.portfolio_instruments,
        },
        "compiler": {"package": COMPILER[0], "version": compiler_version(), "flags": "--O2 --inspect"},
        "machine": machine(),
        "seconds": round(time.perf_counter() - start, 2),
        "parts": parts,
        "summary": summarise(profile, direct, in_context),
    }


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, measure, print the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="reference", choices=sorted(PROFILES), help="circuit profile")
    args = parser.parse_args(argv)
    report = run(get_profile(args.profile), Console(stderr=True))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
