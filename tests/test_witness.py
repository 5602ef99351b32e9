"""Tests for the wasmtime witness calculator against circom's own node witness generator."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from zksolvency.prover.witness import WitnessCalculator, WitnessError

ROOT = Path(__file__).resolve().parents[1]
CIRCOM = ROOT / "node_modules" / "circom2" / "cli.js"
P = 21888242871839275222246405745257275088548364400416034343698204186575808495617

CIRCUIT = """pragma circom 2.2.3;
bus Point() {
    signal x;
    signal y;
}
template T() {
    signal input a;
    signal input b[2][3];
    input Point() pt;
    signal output c;
    signal t;
    t <== a * b[0][0];
    c <== t + b[1][2] + pt.x * pt.y;
    log("c", c);
    a * b[0][1] === 6;
}
component main {public [a]} = T();
"""

INPUTS = {"a": 2, "b": [[-3, 3, P + 5], [4, 5, 6]], "pt": {"x": 7, "y": 11}}


@pytest.fixture(scope="module")
def compiled() -> Iterator[Path]:
    """Compile CIRCUIT in a temporary folder under build/ (circom2 only sees the working tree)."""
    (ROOT / "build").mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="test_witness_", dir=ROOT / "build"))
    try:
        rel = tmp.relative_to(ROOT)
        (tmp / "t.circom").write_text(CIRCUIT)
        subprocess.run(
            ["node", str(CIRCOM), str(rel / "t.circom"), "--wasm", "--O2", "-o", str(rel)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=120,
        )
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def calc(compiled: Path) -> WitnessCalculator:
    return WitnessCalculator(compiled / "t_js" / "t.wasm")


def node_wtns(compiled: Path, inputs: dict) -> bytes:
    """Witness bytes from circom's generate_witness.js (big values passed as JSON strings)."""
    as_json = json.loads(json.dumps(inputs), parse_int=str)
    (compiled / "in.json").write_text(json.dumps(as_json))
    js = compiled / "t_js"
    subprocess.run(
        [
            "node",
            str(js / "generate_witness.js"),
            str(js / "t.wasm"),
            str(compiled / "in.json"),
            str(compiled / "out.wtns"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return (compiled / "out.wtns").read_bytes()


def test_metadata(calc: WitnessCalculator) -> None:
    assert calc.prime == P
    assert calc.n8 == 32
    assert calc.version[0] == 2
    assert calc.input_size == 9


def test_wtns_matches_node(calc: WitnessCalculator, compiled: Path) -> None:
    witness = calc.calculate(INPUTS)
    assert witness[0] == 1
    assert len(witness) == calc.witness_size
    # public output c = a*b00 + b12 + x*y, then public input a.
    assert witness[1] == (2 * (P - 3) + 6 + 77) % P
    assert witness[2] == 2
    expected = node_wtns(compiled, INPUTS)
    assert calc.wtns_bytes(witness) == expected
    assert calc.calculate_wtns(INPUTS) == expected


def test_string_values_and_reuse(calc: WitnessCalculator) -> None:
    as_strings = {"a": "2", "b": [["-3", "0x3", str(P + 5)], [4, 5, 6]], "pt": {"x": "7", "y": 11}}
    assert calc.calculate(as_strings) == calc.calculate(INPUTS)


def test_circuit_log_goes_to_logging(calc: WitnessCalculator, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="zksolvency.prover.witness"):
        witness = calc.calculate(INPUTS)
    assert f"c {witness[1]}" in caplog.text


def test_failed_constraint_raises(calc: WitnessCalculator) -> None:
    bad = {**INPUTS, "b": [[-3, 4, 0], [4, 5, 6]]}
    with pytest.raises(WitnessError, match=r"Assert Failed\.\nError in template T_\d+ line: 15"):
        calc.calculate(bad)


def test_unknown_input_raises(calc: WitnessCalculator) -> None:
    with pytest.raises(WitnessError, match="Signal nope not found"):
        calc.calculate({**INPUTS, "nope": 1})
    with pytest.raises(WitnessError, match=r"Signal pt\.z not found"):
        calc.calculate({**INPUTS, "pt": {"x": 1, "z": 2}})


def test_wrong_count_and_missing_inputs_raise(calc: WitnessCalculator) -> None:
    with pytest.raises(WitnessError, match="Not enough values for input signal b"):
        calc.calculate({**INPUTS, "b": [[1, 2, 3], [4, 5]]})
    with pytest.raises(WitnessError, match="Too many values for input signal a"):
        calc.calculate({**INPUTS, "a": [1, 2]})
    with pytest.raises(WitnessError, match="Not all inputs have been set"):
        calc.calculate({"a": 2, "b": INPUTS["b"]})
    with pytest.raises(WitnessError, match="Invalid value"):
        calc.calculate({**INPUTS, "a": 1.5})
    with pytest.raises(WitnessError, match="witness has"):
        calc.wtns_bytes([1, 2, 3])


def test_concurrent_calls_keep_their_own_errors(calc: WitnessCalculator) -> None:
    good = calc.calculate(INPUTS)
    bad = {**INPUTS, "b": [[-3, 4, 0], [4, 5, 6]]}

    def run(i: int) -> str:
        try:
            return "ok" if calc.calculate(INPUTS if i % 2 else bad) == good else "wrong witness"
        except WitnessError as exc:
            return str(exc).split("\n")[0]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, range(64)))
    assert results == ["Assert Failed.", "ok"] * 32
