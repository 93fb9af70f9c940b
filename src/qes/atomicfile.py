"""Files written whole or not at all: a temporary file beside the target, renamed into place.

A crash (or a killed worker) mid-write leaves at most a stray `.part` file, never a half-written
file under the final name that a job or a reader would take for complete.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes_atomically(target: Path, data: bytes) -> None:
    fd, part = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(part, target)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise
