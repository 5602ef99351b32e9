"""Reading zksolvency's JSON files: every failure (missing, unreadable, not JSON) is a FormatError."""

import gc
import json
from pathlib import Path
from typing import Any

from .formats import FormatError


def read_json(path: Path) -> Any:
    """Parse the JSON file at `path`; FormatError naming the file if it cannot be read or parsed.

    The cyclic garbage collector is paused while parsing: an epoch of 2^20 accounts is about 20 MB of
    JSON, and the collections its allocations trigger would triple the parse time.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"{path}: {exc.strerror or exc}") from None
    enabled = gc.isenabled()
    gc.disable()
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise FormatError(f"{path}: not a JSON document ({exc})") from None
    finally:
        if enabled:
            gc.enable()
