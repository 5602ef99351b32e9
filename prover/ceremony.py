"""The trusted setup ceremony for production keys (Groth16 phase 2, snarkjs-compatible .zkey files).

A ceremony starts from a published powers-of-tau file (phase 1) and a profile's compiled circuits.
Any number of parties then contribute in turn, each adding secret randomness to every circuit's
key; the keys are safe if one contributor destroyed their randomness. Anyone can verify the whole
transcript against the circuits and the powers of tau; a public random beacon closes it. The
final keys are imported into groth16py for proving (proofs verify under snarkjs too).

DIR/transcript.json            profile, powers-of-tau file and hash, circuits and their hashes,
                               contributions (name and contribution hash per circuit), beacon
DIR/KIND/KIND_NNNN.zkey        the key after contribution NNNN (0000: no contribution yet)
DIR/KIND/KIND_final.zkey       after the beacon
"""

import hashlib
import json
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import groth16py

from zksolvency.verifier.ceremonies import CIRCUIT_KINDS as KINDS
from zksolvency.verifier.ceremonies import TRANSCRIPT, CeremonyError
from zksolvency.verifier.profiles import Profile, get_profile

from .circuits import Circuit, build
from .keys import CEREMONY, CircuitKeys, copy_circuit, load_keys, write_setup
from .toolchain import ToolchainError, js_tool, node

SNARKJS = ("snarkjs", "cli.js")
#: on_step(line): what a long step is doing now ("step 2/3: contribute - <snarkjs' latest log line>").
StepCallback = Callable[[str], None]
_BEACON = re.compile(r"(?:0[xX])?([0-9a-fA-F]{64})")


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _silent(line: str) -> None:
    """The default step callback: nothing to show."""


T = TypeVar("T")

#: snarkjs processes running now, so that whatever stops a ceremony step stops all of them.
_running: set[subprocess.Popen[str]] = set()
_running_lock = threading.Lock()


def _kill_running() -> None:
    with _running_lock:
        for process in _running:
            process.kill()


def snarkjs(*args: str, on_line: StepCallback = _silent) -> str:
    """Run snarkjs (verbose) in the current folder, handing each log line to `on_line` as it comes;
    CeremonyError with its output when it fails or reports an error. Paths should be absolute."""
    try:
        command = [node(), str(js_tool(*SNARKJS)), *args, "-v"]
    except ToolchainError as exc:
        raise CeremonyError(str(exc)) from None
    lines = []
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as process:
        with _running_lock:
            _running.add(process)
        assert process.stdout is not None
        try:
            for line in process.stdout:
                lines.append(line)
                if line.strip():
                    on_line(line.strip())
        except BaseException:  # Ctrl-C, SIGTERM: snarkjs must not outlive us
            process.kill()
            raise
        finally:
            with _running_lock:
                _running.discard(process)
    output = "".join(lines)
    if process.returncode != 0 or re.search(r"\[ERROR\]|Error:", output):
        raise CeremonyError(f"snarkjs {' '.join(args[:2])} failed:\n{output}")
    return output


def _each_circuit(work: Callable[[int, str], T], first: int = 1) -> list[T]:
    """work(number, kind) for every circuit at once (one snarkjs process each, a core each where there
    are cores), results in KINDS order. The first failure, or a signal, stops every snarkjs still running
    and is raised."""
    with ThreadPoolExecutor(max_workers=len(KINDS)) as pool:
        futures = [pool.submit(work, number, kind) for number, kind in enumerate(KINDS, first)]
        try:
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = [f for f in futures if f in done and f.exception() is not None]
            if failed:
                _kill_running()
                raise failed[0].exception()  # type: ignore[misc]
        except BaseException:
            _kill_running()
            raise
        return [f.result() for f in futures]


def _step(on_step: StepCallback, number: int, total: int, what: str) -> StepCallback:
    """A line callback that reports snarkjs' progress as part of step `number` of `total`."""
    on_step(f"step {number}/{total}: {what}")

    def on_line(line: str) -> None:
        on_step(f"step {number}/{total}: {what} - {line.removeprefix('[DEBUG] snarkJS: ')[:100]}")

    return on_line


def parse_beacon(text: str) -> str:
    """A beacon as 64 lowercase hex digits, written bare or as a block hash usually is (0x...)."""
    match = _BEACON.fullmatch(text.strip())
    if not match:
        raise CeremonyError(
            f"beacon {text!r}: 32 bytes in hex (64 hex digits, with or without 0x, e.g. a block hash)"
        )
    return match.group(1).lower()


def local_powers_of_tau(
    power: int, out: Path, entropy: str | None = None, on_step: StepCallback = _silent
) -> Path:
    """An UNSAFE single-contributor powers-of-tau file, for tests and development only; written
    atomically (a partial file never has the name `out`).

    Production ceremonies start from a published phase-1 file with many contributors.
    """
    if not 1 <= power <= 28:
        raise CeremonyError(f"power {power}: between 1 and 28 (snarkjs' limit)")
    out = out.resolve()
    if out.exists():
        raise CeremonyError(f"{out} exists; it is not overwritten")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.") as tmp:
        first, second = Path(tmp) / "pot_0000.ptau", Path(tmp) / "pot_0001.ptau"
        prepared = Path(tmp) / "prepared.ptau"
        snarkjs("powersoftau", "new", "bn128", str(power), str(first), on_line=_step(on_step, 1, 3, "new"))
        randomness = f"-e={entropy or secrets.token_hex(32)}"
        snarkjs(
            "powersoftau",
            "contribute",
            str(first),
            str(second),
            "--name=local",
            randomness,
            on_line=_step(on_step, 2, 3, "contribute"),
        )
        snarkjs(
            "powersoftau",
            "prepare",
            "phase2",
            str(second),
            str(prepared),
            on_line=_step(on_step, 3, 3, "prepare"),
        )
        prepared.rename(out)
    return out


@dataclass
class Ceremony:
    """A ceremony folder and its transcript."""

    directory: Path
    transcript: dict[str, Any]

    @classmethod
    def open(cls, directory: Path) -> "Ceremony":
        """Read an existing ceremony folder."""
        directory = directory.resolve()
        path = directory / TRANSCRIPT
        if not path.exists():
            raise CeremonyError(f"{directory} is not a ceremony folder (no {TRANSCRIPT})")
        try:
            return cls(directory, json.loads(path.read_text()))
        except ValueError as exc:
            raise CeremonyError(f"{path}: not JSON: {exc}") from None

    @property
    def profile(self) -> Profile:
        """The profile whose circuits the ceremony makes keys for."""
        return get_profile(self.transcript["profile"])

    @property
    def ptau(self) -> Path:
        """The phase-1 file."""
        return Path(self.transcript["ptau"]["path"])

    def circuit(self, kind: str) -> Circuit:
        """The compiled circuit of `kind`, checked against the transcript's source hash."""
        circuit = build(kind, self.profile)
        if circuit.source_hash != self.transcript["circuits"][kind]["source_hash"]:
            raise CeremonyError(f"{kind}: the circuit sources changed since the ceremony started")
        return circuit

    def zkey(self, kind: str, index: int | str) -> Path:
        """The key of `kind` after contribution `index` (or "final")."""
        suffix = index if isinstance(index, str) else f"{index:04d}"
        return self.directory / kind / f"{kind}_{suffix}.zkey"

    @property
    def latest(self) -> int:
        """Index of the latest contribution (0 before any)."""
        return len(self.transcript["contributions"])

    def save(self) -> None:
        """Write the transcript."""
        (self.directory / TRANSCRIPT).write_text(json.dumps(self.transcript, indent=2) + "\n")


def start(directory: Path, profile: Profile, ptau: Path, on_step: StepCallback = _silent) -> Ceremony:
    """Start a ceremony: the initial (contribution-free) key of each circuit from the powers of tau.

    The folder is built under a temporary name beside `directory` and renamed into place at the end:
    a failed start leaves nothing behind.
    """
    directory, ptau = directory.resolve(), ptau.resolve()
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise CeremonyError(f"{directory} exists and is not an empty folder")
    if not ptau.is_file():
        raise CeremonyError(f"{ptau}: no such powers-of-tau file")
    on_step("step 1/3: hashing the powers of tau")
    transcript: dict[str, Any] = {
        "profile": profile.name,
        "ptau": {"path": str(ptau), "sha256": sha256_file(ptau)},
        "circuits": {},
        "contributions": [],
        "beacon": None,
    }
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}."))
    try:
        ceremony = Ceremony(staging, transcript)

        def initial_key(number: int, kind: str) -> dict[str, str]:
            on_step(f"step {number}/3: {kind}: compiling the circuit")
            circuit = build(kind, profile)
            (staging / kind).mkdir()
            snarkjs(
                "groth16",
                "setup",
                str(circuit.r1cs),
                str(ptau),
                str(ceremony.zkey(kind, 0)),
                on_line=_step(on_step, number, 3, f"{kind}: initial key"),
            )
            return {"source_hash": circuit.source_hash, "r1cs_sha256": sha256_file(circuit.r1cs)}

        transcript["circuits"] = dict(zip(KINDS, _each_circuit(initial_key, first=2), strict=True))
        ceremony.save()
        if directory.exists():
            directory.rmdir()
        staging.chmod(0o755)  # a ceremony folder is shared with the contributors and published
        staging.rename(directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Ceremony(directory, transcript)


def _contribution_hash(output: str) -> str:
    match = re.search(r"Contribution Hash:\s*((?:[0-9a-f]{8}\s*)+)", output)
    if not match:
        raise CeremonyError(f"snarkjs printed no contribution hash:\n{output}")
    return "".join(match.group(1).split())


def contribute(
    ceremony: Ceremony, name: str, entropy: str | None = None, on_step: StepCallback = _silent
) -> dict[str, Any]:
    """Add one party's contribution to every circuit's key; returns the transcript entry."""
    if ceremony.transcript["beacon"] is not None:
        raise CeremonyError("the ceremony is closed by its beacon")
    if not name or any(c in name for c in "\"'\n"):
        raise CeremonyError("a contributor name is required (no quotes or newlines)")
    index = ceremony.latest + 1
    entry: dict[str, Any] = {"index": index, "name": name, "hashes": {}}
    randomness = entropy or secrets.token_hex(32)

    def add(number: int, kind: str) -> str:
        before, after = ceremony.zkey(kind, index - 1), ceremony.zkey(kind, index)
        output = snarkjs(
            "zkey",
            "contribute",
            str(before),
            str(after),
            f"--name={name}",
            f"-e={randomness}",
            on_line=_step(on_step, number, len(KINDS), kind),
        )
        return _contribution_hash(output)

    entry["hashes"] = dict(zip(KINDS, _each_circuit(add), strict=True))
    ceremony.transcript["contributions"].append(entry)
    ceremony.save()
    return entry


def finish(ceremony: Ceremony, beacon: str, iterations: int = 10, on_step: StepCallback = _silent) -> None:
    """Close the ceremony with a public random beacon (hex, e.g. a future block hash, 0x allowed)."""
    if ceremony.transcript["beacon"] is not None:
        raise CeremonyError("the ceremony already has its beacon")
    if ceremony.latest < 1:
        raise CeremonyError("a ceremony needs at least one contribution before its beacon")
    beacon = parse_beacon(beacon)
    if not 10 <= iterations <= 63:
        raise CeremonyError(f"iterations {iterations}: log2 of the beacon's hash iterations, 10 to 63")

    def close(number: int, kind: str) -> str:
        before, after = ceremony.zkey(kind, ceremony.latest), ceremony.zkey(kind, "final")
        output = snarkjs(
            "zkey",
            "beacon",
            str(before),
            str(after),
            beacon,
            str(iterations),
            "-n=Final Beacon",
            on_line=_step(on_step, number, len(KINDS), f"{kind}: beacon"),
        )
        return _contribution_hash(output)

    hashes = dict(zip(KINDS, _each_circuit(close), strict=True))
    ceremony.transcript["beacon"] = {"value": beacon, "iterations": iterations, "hashes": hashes}
    ceremony.save()


def verify(ceremony: Ceremony, on_step: StepCallback = _silent) -> list[str]:
    """Verify every circuit's latest key against its circuit and the powers of tau, contribution by
    contribution (snarkjs zkey verify), and that the contributions are the transcript's. Returns a
    line per checked fact; CeremonyError on the first that fails."""
    if sha256_file(ceremony.ptau) != ceremony.transcript["ptau"]["sha256"]:
        raise CeremonyError(f"{ceremony.ptau}: not the powers-of-tau file the ceremony started from")
    final = ceremony.transcript["beacon"] is not None

    def check(number: int, kind: str) -> str:
        circuit = ceremony.circuit(kind)
        zkey = ceremony.zkey(kind, "final" if final else ceremony.latest)
        output = snarkjs(
            "zkey",
            "verify",
            str(circuit.r1cs),
            str(ceremony.ptau),
            str(zkey),
            on_line=_step(on_step, number, len(KINDS), f"{kind}: verify"),
        )
        if "ZKey Ok!" not in output:
            raise CeremonyError(f"{kind}: snarkjs does not accept {zkey.name}:\n{output}")
        expected = [c["hashes"][kind] for c in ceremony.transcript["contributions"]]
        if final:
            expected.append(ceremony.transcript["beacon"]["hashes"][kind])
        listed = re.findall(r"contribution #\d+[^\n]*\n((?:\s*[0-9a-f]{8}){16})", output)
        found = ["".join(h.split()) for h in reversed(listed)]  # snarkjs lists the newest first
        if found != expected:
            raise CeremonyError(f"{kind}: the key's contributions are not the transcript's")
        return (
            f"{kind}: {zkey.name} verifies with {len(expected)} contributions against the circuit and phase 1"
        )

    return _each_circuit(check)


def transcript_hash(ceremony: Ceremony) -> str:
    """SHA-256 of the transcript file: the reference an epoch made with these keys carries."""
    return sha256_file(ceremony.directory / TRANSCRIPT)


def export_keys(
    ceremony: Ceremony, out: Path, on_step: StepCallback = _silent
) -> tuple[dict[str, CircuitKeys], list[str]]:
    """Verify the closed ceremony, then write a key folder per circuit (setup kind "ceremony").

    Returns the keys and the verification's lines (as `verify` gives them)."""
    if ceremony.transcript["beacon"] is None:
        raise CeremonyError("finish the ceremony with its beacon before exporting keys")
    out = out.resolve()
    for kind in KINDS:
        if (out / kind / "setup.json").exists():
            raise CeremonyError(f"{out / kind} already holds keys")
    verified = verify(ceremony, on_step)
    keys = {}
    for kind in KINDS:
        on_step(f"{kind}: exporting the keys")
        circuit = ceremony.circuit(kind)
        directory = out / kind
        local = copy_circuit(circuit, directory)
        zkey = ceremony.zkey(kind, "final")
        snarkjs("zkey", "export", "verificationkey", str(zkey), str(directory / "verification_key.json"))
        proving_key, _ = groth16py.import_zkey(str(zkey))
        proving_key.save(str(directory / "proving_key.bin"))
        write_setup(
            local,
            directory,
            CEREMONY,
            transcript_sha256=transcript_hash(ceremony),
            zkey_sha256=sha256_file(zkey),
            contributions=[c["name"] for c in ceremony.transcript["contributions"]],
            beacon=ceremony.transcript["beacon"]["value"],
        )
        keys[kind] = load_keys(directory)
    return keys, verified
