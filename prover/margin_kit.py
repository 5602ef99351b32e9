"""The traders' margin kit as one zip file, for download from the API: margin.wasm, proving_key.bin,
verification_key.json and setup.json (EPOCH/public/margin in an epoch folder)."""

import io
import zipfile
from pathlib import Path

from zksolvency.verifier.documents import read_json
from zksolvency.verifier.formats import FormatError
from zksolvency.verifier.groth16 import MalformedKey, key_hash

KIT_FILES = ("margin.wasm", "proving_key.bin", "verification_key.json", "setup.json")
#: The largest kit accepted (the reference profile's margin proving key is a few MiB).
MAX_KIT_BYTES = 512 * 2**20


class KitError(ValueError):
    """A margin kit that is incomplete, unreadable or not for the epoch's margin key."""


def pack(folder: Path) -> bytes:
    """The kit in `folder` as zip bytes; KitError if a file is missing."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in KIT_FILES:
            if not (folder / name).is_file():
                raise KitError(f"{folder / name}: missing (the epoch's margin kit)")
            archive.write(folder / name, name)
    return buffer.getvalue()


def unpack(data: bytes, into: Path, where: str = "margin kit") -> Path:
    """Extract a kit zip into the folder `into`; KitError unless it holds exactly KIT_FILES, within size."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = sorted(m.filename for m in members)
            if names != sorted(KIT_FILES):
                raise KitError(f"{where}: expected exactly {', '.join(KIT_FILES)}; found {', '.join(names)}")
            if sum(m.file_size for m in members) > MAX_KIT_BYTES:
                raise KitError(f"{where}: larger than {MAX_KIT_BYTES // 2**20} MiB unpacked")
            into.mkdir(parents=True, exist_ok=True)
            for member in members:
                (into / member.filename).write_bytes(archive.read(member))
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        if isinstance(exc, KitError):
            raise
        raise KitError(f"{where}: not a zip file ({exc})") from None
    return into


def kit_key_hash(folder: Path) -> str:
    """SHA-256 of the kit's verification key (`groth16.key_hash`); KitError if it is unreadable."""
    try:
        return key_hash(read_json(folder / "verification_key.json"))
    except (FormatError, MalformedKey) as exc:
        raise KitError(f"{folder / 'verification_key.json'}: {exc}") from None
