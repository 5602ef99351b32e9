"""Witness calculation for circom 2 WebAssembly witness generators, run with wasmtime.

The circom ``--wasm`` output exposes a small ABI (``init``, ``setInputSignal``, ``getWitness`` ...)
that exchanges field elements through a "shared RW memory" area of ``n32`` little-endian 32-bit
words. This module drives that ABI from Python. Reading the witness back element by element
from Python costs one host call per element (~10 us each), so the witness is instead copied
out in one call by a tiny helper wasm module linked into the same store: it loops over
``getWitness(i)`` and ``memory.copy``-es each value into its own memory, which is then read
in bulk.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import wasmtime

__all__ = ["WitnessCalculator", "WitnessError"]

log = logging.getLogger(__name__)

_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_MASK64 = (1 << 64) - 1
_PAGE = 65536

# Messages of the circom runtime's exceptionHandler, by code.
_EXCEPTION_MESSAGES = {
    1: "Signal not found.",
    2: "Too many signals set.",
    3: "Signal already set.",
    4: "Assert Failed.",
    5: "Not enough memory.",
    6: "Input signal array access exceeds the size.",
    7: "Out of bounds array access.",
}

# Helper linked into the circuit's store, so that a batch of values crosses the host boundary in one
# call rather than one call per value (~10 us each):
# - load(msb, lsb, n, shared_start, n8) copies n values of n8 bytes from its own memory (from offset 0)
#   one by one into the circuit's shared RW memory and calls setInputSignal(msb, lsb, i) for i < n;
# - dump(n, shared_start, n8) calls getWitness(i) for i < n and copies each value from the circuit's
#   shared RW memory into its own memory at offset i * n8.
# The host grows the helper memory to fit before calling.
_HELPER_WAT = """
(module
  (import "circuit" "getWitness" (func $get_witness (param i32)))
  (import "circuit" "setInputSignal" (func $set_input (param i32 i32 i32)))
  (import "circuit" "memory" (memory $src 1))
  (memory $dst 0)
  (export "memory" (memory $dst))
  (func (export "load") (param $msb i32) (param $lsb i32) (param $n i32) (param $shared i32) (param $n8 i32)
    (local $i i32)
    (local $off i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (memory.copy $src $dst (local.get $shared) (local.get $off) (local.get $n8))
        (call $set_input (local.get $msb) (local.get $lsb) (local.get $i))
        (local.set $off (i32.add (local.get $off) (local.get $n8)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
  (func (export "dump") (param $n i32) (param $shared i32) (param $n8 i32)
    (local $i i32)
    (local $off i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $get_witness (local.get $i))
        (memory.copy $dst $src (local.get $off) (local.get $shared) (local.get $n8))
        (local.set $off (i32.add (local.get $off) (local.get $n8)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
)
"""

# Nested input values as accepted by `WitnessCalculator.calculate`.
InputValue = int | str | Sequence[Any] | Mapping[str, Any]


class WitnessError(ValueError):
    """Invalid inputs or a failed constraint/assertion while computing a witness."""


def _fnv1a64(name: str) -> int:
    """64-bit FNV-1a hash of a signal name over its UTF-16 code units (as circom's JS does)."""
    h = _FNV_OFFSET
    units = name.encode("utf-16-le")
    for k in range(0, len(units), 2):
        h ^= units[k] | (units[k + 1] << 8)
        h = (h * _FNV_PRIME) & _MASK64
    return h


def _i32(v: int) -> int:
    """Reinterpret an unsigned 32-bit value as a signed i32 for wasmtime."""
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def _to_int(value: Any, name: str) -> int:
    """Convert one input value (int or decimal/hex string) to an int, like JS ``BigInt(x)``."""
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        s = value.strip()
        try:
            body = s.lstrip("+-").lower()
            if body.startswith(("0x", "0o", "0b")):
                return int(s, 0)
            return int(s, 10) if s else 0
        except ValueError:
            raise WitnessError(f"Invalid value {value!r} for input signal {name}") from None
    raise WitnessError(f"Invalid value {value!r} of type {type(value).__name__} for input signal {name}")


def _flatten(value: Any, out: list[Any]) -> list[Any]:
    """Flatten nested lists row-major into ``out``."""
    if isinstance(value, list | tuple):
        for v in value:
            _flatten(v, out)
    else:
        out.append(value)
    return out


def _qualify(prefix: str, value: Any, out: dict[str, Any]) -> None:
    """Map nested inputs to fully qualified signal names (``a.b``, ``a[1].b``), as circom's JS does."""
    if isinstance(value, list | tuple):
        flat = _flatten(value, [])
        kinds = {isinstance(v, Mapping) for v in flat}
        if len(kinds) > 1:
            raise WitnessError(f"Types are not the same in the key {prefix}")
        if kinds == {True}:
            for i, v in enumerate(value):
                _qualify_list(f"{prefix}[{i}]", v, out)
        else:
            out[prefix] = value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            _qualify(k if prefix == "" else f"{prefix}.{k}", v, out)
    else:
        out[prefix] = value


def _qualify_list(prefix: str, value: Any, out: dict[str, Any]) -> None:
    """Recurse through a list of (lists of) mappings, indexing the prefix."""
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _qualify_list(f"{prefix}[{i}]", v, out)
    else:
        _qualify(prefix, value, out)


@dataclass
class _RunState:
    """Per-calculation host state shared with the imported runtime functions."""

    error_text: str = ""
    msg: str = ""
    failure: str | None = None
    exports: dict[str, Any] = field(default_factory=dict)


class WitnessCalculator:
    """Computes circom witnesses from a compiled ``.wasm`` witness generator.

    The module is compiled once; every `calculate` call runs on a fresh instance (about 1 ms),
    so calls are independent and may run concurrently from several threads.
    """

    def __init__(self, wasm: Path | str | bytes, *, sanity_check: bool = True) -> None:
        """Compile ``wasm`` (a path or the module bytes) and read the field and witness size.

        ``sanity_check`` is passed to the circuit's ``init``; node's generate_witness.js
        and snarkjs enable it too.
        """
        code = Path(wasm).read_bytes() if isinstance(wasm, str | Path) else bytes(wasm)
        config = wasmtime.Config()
        config.wasm_bulk_memory = True
        config.wasm_multi_memory = True
        self._engine = wasmtime.Engine(config)
        try:
            self._module = wasmtime.Module(self._engine, code)
        except wasmtime.WasmtimeError as exc:
            raise WitnessError(f"invalid witness generator wasm: {exc}") from exc
        self._helper_module = wasmtime.Module(self._engine, wasmtime.wat2wasm(_HELPER_WAT))
        self._sanity_check = sanity_check

        store, ex, _ = self._instantiate()
        self.version: tuple[int, int, int] = (
            ex["getVersion"](store),
            ex["getMinorVersion"](store) if "getMinorVersion" in ex else 0,
            ex["getPatchVersion"](store) if "getPatchVersion" in ex else 0,
        )
        self.n32: int = ex["getFieldNumLen32"](store)
        self.n8: int = 4 * self.n32
        ex["getRawPrime"](store)
        self.prime: int = self._read_shared(store, ex)
        self.witness_size: int = ex["getWitnessSize"](store)
        self.input_size: int = ex["getInputSize"](store)
        if "getSharedRWMemoryStart" not in ex or "memory" not in ex:
            raise WitnessError(
                "unsupported witness generator: circom 2.1 or newer is needed (shared memory export)"
            )

    # -- wasm plumbing -------------------------------------------------------------------------

    def _instantiate(self) -> tuple[wasmtime.Store, dict[str, Any], _RunState]:
        """Create a store and a fresh circuit instance with the runtime imports wired up."""
        store = wasmtime.Store(self._engine)
        state = _RunState()

        def get_message() -> str:
            get_char = state.exports["getMessageChar"]
            chars = []
            c = get_char(store)
            while c != 0:
                chars.append(chr(c & 0xFFFF))
                c = get_char(store)
            return "".join(chars)

        def exception_handler(code: int) -> None:
            msg = _EXCEPTION_MESSAGES.get(code, "Unknown error.")
            detail = state.error_text.strip()
            # Raising stops the wasm code; the message is kept in the per-run state because
            # wasmtime-py passes host exceptions back through a process-global slot.
            state.failure = f"{msg}\n{detail}" if detail else msg
            raise WitnessError(state.failure)

        def print_error_message() -> None:
            state.error_text += get_message() + "\n"

        def emit(piece: str) -> None:
            state.msg = piece if state.msg == "" else f"{state.msg} {piece}"

        def write_buffer_message() -> None:
            msg = get_message()
            if msg == "\n":
                log.info("circuit log: %s", state.msg)
                state.msg = ""
            else:
                emit(msg)

        def show_shared_rw_memory() -> None:
            emit(str(self._read_shared(store, state.exports)))

        i32 = wasmtime.ValType.i32()
        void = wasmtime.FuncType([], [])
        funcs: dict[str, tuple[wasmtime.FuncType, Callable[..., None]]] = {
            "exceptionHandler": (wasmtime.FuncType([i32], []), exception_handler),
            "printErrorMessage": (void, print_error_message),
            "writeBufferMessage": (void, write_buffer_message),
            "showSharedRWMemory": (void, show_shared_rw_memory),
        }
        imports = []
        for imp in self._module.imports:
            if imp.module != "runtime" or imp.name not in funcs:
                raise WitnessError(f"unsupported witness generator import {imp.module}.{imp.name}")
            ty, fn = funcs[imp.name]
            imports.append(wasmtime.Func(store, ty, fn))
        instance = wasmtime.Instance(store, self._module, imports)
        state.exports = dict(instance.exports(store).items())
        return store, state.exports, state

    def _read_shared(self, store: wasmtime.Store, ex: Mapping[str, Any]) -> int:
        """Read the field element in shared RW memory (word j is the j-th least significant)."""
        n32 = ex["getFieldNumLen32"](store)
        read = ex["readSharedRWMemory"]
        return sum((read(store, j) & 0xFFFFFFFF) << (32 * j) for j in range(n32))

    # -- public API ----------------------------------------------------------------------------

    def calculate(self, inputs: Mapping[str, InputValue]) -> list[int]:
        """Compute the full witness (``witness[0] == 1``) for ``inputs``.

        ``inputs`` maps signal names to ints (or decimal/hex strings), nested lists for array
        signals (flattened row-major), or nested mappings for bus/component-qualified names.
        Values are reduced modulo the prime (negative ``x`` becomes ``p - |x|``).
        Raises `WitnessError` for unknown signals, wrong value counts, missing inputs and
        failed circuit assertions.
        """
        raw = self._calculate_raw(inputs)
        n8 = self.n8
        from_bytes = int.from_bytes
        return [from_bytes(raw[k : k + n8], "little") for k in range(0, len(raw), n8)]

    def calculate_wtns(self, inputs: Mapping[str, InputValue]) -> bytes:
        """Compute the witness for ``inputs`` and return it as ``.wtns`` file bytes."""
        return self._wtns_header(self.witness_size) + self._calculate_raw(inputs)

    def wtns_bytes(self, witness: Sequence[int]) -> bytes:
        """Encode ``witness`` in the snarkjs ``.wtns`` binary format (version 2, two sections)."""
        if len(witness) != self.witness_size:
            raise WitnessError(f"witness has {len(witness)} values, the circuit has {self.witness_size}")
        p, n8 = self.prime, self.n8
        body = b"".join((w % p).to_bytes(n8, "little") for w in witness)
        return self._wtns_header(len(witness)) + body

    # -- internals -----------------------------------------------------------------------------

    def _wtns_header(self, count: int) -> bytes:
        """Header, section 1 (n8, prime, count) and the section 2 header of a .wtns file."""
        n8 = self.n8
        return (
            b"wtns"
            + struct.pack("<II", 2, 2)
            + struct.pack("<IQI", 1, 8 + n8, n8)
            + self.prime.to_bytes(n8, "little")
            + struct.pack("<I", count)
            + struct.pack("<IQ", 2, n8 * count)
        )

    def _calculate_raw(self, inputs: Mapping[str, InputValue]) -> bytes:
        """Run the circuit on ``inputs``; return the witness as concatenated little-endian values."""
        if not isinstance(inputs, Mapping):
            raise WitnessError("inputs must be a mapping of signal names to values")
        qualified: dict[str, Any] = {}
        _qualify("", inputs, qualified)

        store, ex, state = self._instantiate()
        try:
            ex["init"](store, 1 if self._sanity_check else 0)
            helper = wasmtime.Instance(
                store, self._helper_module, [ex["getWitness"], ex["setInputSignal"], ex["memory"]]
            ).exports(store)
            self._set_inputs(store, ex, helper, qualified)
            return self._read_witness(store, ex, helper)
        except (WitnessError, wasmtime.Trap, wasmtime.WasmtimeError) as exc:
            if state.failure is not None:
                raise WitnessError(state.failure) from exc
            if isinstance(exc, WitnessError):
                raise
            if isinstance(exc, wasmtime.Trap):
                raise WitnessError(f"witness generator trapped: {exc.message}") from exc
            raise WitnessError(f"witness generator failed: {exc}") from exc

    def _set_inputs(
        self, store: wasmtime.Store, ex: dict[str, Any], helper: Any, qualified: dict[str, Any]
    ) -> None:
        """Write each input signal's values into the helper's memory; it sets them in one call."""
        p, n8 = self.prime, self.n8
        get_size, shared = ex["getInputSignalSize"], ex["getSharedRWMemoryStart"](store)
        count = 0
        for name, value in qualified.items():
            h = _fnv1a64(name)
            msb, lsb = _i32(h >> 32), _i32(h)
            size = get_size(store, msb, lsb)
            flat = _flatten(value, [])
            # circom 2.2 answers 0 (older versions -1) for names that are not input signals.
            if size < 0 or (size == 0 and flat):
                raise WitnessError(f"Signal {name} not found")
            if len(flat) < size:
                raise WitnessError(f"Not enough values for input signal {name}: got {len(flat)}, need {size}")
            if len(flat) > size:
                raise WitnessError(f"Too many values for input signal {name}: got {len(flat)}, need {size}")
            data = b"".join((_to_int(v, name) % p).to_bytes(n8, "little") for v in flat)
            _fit(store, helper["memory"], len(data))
            helper["memory"].write(store, data, 0)
            helper["load"](store, msb, lsb, size, shared, n8)
            count += size
        if count < self.input_size:
            raise WitnessError(f"Not all inputs have been set. Only {count} out of {self.input_size}")

    def _read_witness(self, store: wasmtime.Store, ex: dict[str, Any], helper: Any) -> bytes:
        """Copy all witness values out with one call into the helper module."""
        n, n8 = self.witness_size, self.n8
        _fit(store, helper["memory"], n * n8)
        helper["dump"](store, n, ex["getSharedRWMemoryStart"](store), n8)
        return bytes(helper["memory"].read(store, 0, n * n8))


def _fit(store: wasmtime.Store, memory: wasmtime.Memory, size: int) -> None:
    """Grow `memory` to hold at least `size` bytes."""
    need = -(-size // _PAGE)
    if need > memory.size(store):
        memory.grow(store, need - memory.size(store))
