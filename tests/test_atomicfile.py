"""Write-then-rename: the target appears whole, and a failed write leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from qes import atomicfile
from qes.atomicfile import write_bytes_atomically


def test_the_file_appears_whole_and_nothing_else_stays(tmp_path: Path) -> None:
    target = tmp_path / "paper.pdf"
    write_bytes_atomically(target, b"%PDF-1.4 whole")
    assert target.read_bytes() == b"%PDF-1.4 whole" and [p.name for p in tmp_path.iterdir()] == ["paper.pdf"]


def test_a_failed_write_leaves_no_file_and_no_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_replace(src: str, dst: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomicfile.os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_bytes_atomically(tmp_path / "paper.pdf", b"data")
    assert list(tmp_path.iterdir()) == []
