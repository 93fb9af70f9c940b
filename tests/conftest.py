"""Shared test fixtures. Paths come from __file__, never from the working directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test with a clear message when ../shared is absent.

    On a user's machine ../shared does not exist; in CI it always does, and these tests run.
    """
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run this test but {path} is missing")
        pytest.skip(f"needs {path} (../shared is present beside the repository in CI only)")
    return path


@pytest.fixture
def shared_dir() -> Path:
    return shared_path()
