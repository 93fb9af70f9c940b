"""Helpers for tests (importable as `from support import ...`; tests/ is on pytest's pythonpath)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SHARED = REPO.parent / "shared"
FIXTURES = TESTS / "fixtures"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test with a clear message when ../shared is absent.

    On a user's machine ../shared does not exist; in CI (CI=true) it always does, so a missing
    path there is a failure, never a skip.
    """
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run this test but {path} is missing")
        pytest.skip(f"needs {path} (../shared sits beside the repository in CI, not on a user's machine)")
    return path


# Accounts the web tests create (tests/web/conftest.py).
OWNER = ("owner@example.org", "owner-password")
VIEWER = ("viewer@example.org", "viewer-password")


def run_qes(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`qes ARGS` as a real process (python -m qes), as a user would run it."""
    env = {**os.environ, "QES_USER": "cli-tester@example.org", "COLUMNS": "200"}
    env.pop("QES_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "qes", *args], cwd=cwd, input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def sign_in(page, who: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the login form of a Playwright page (pages need a session)."""
    page.goto("/")
    assert "/login" in page.url
    page.get_by_label("E-mail").fill(who[0])
    page.get_by_label("Password").fill(who[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))
