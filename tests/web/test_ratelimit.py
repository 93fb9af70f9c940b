"""Login rate limiting: per account and per address, in the database (every worker agrees), 429 + Retry-After."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fastapi.testclient import TestClient

from qes.services import login_throttle
from qes.services.login_throttle import ALLOWANCE, FIRST_LOCK, LONGEST_LOCK, lock_length
from qes.services.project import opened
from qes.store.schema import utcnow
from qes.store.schema_team import LoginFailure
from qes.web.app import create_app
from support import OWNER, VIEWER


def _login(client: TestClient, who: tuple[str, str]) -> object:
    return client.post("/api/login", json={"email": who[0], "password": who[1]})


def _age_locks(root: Path, by: dt.timedelta) -> None:
    """Move every lock and failure into the past, as if `by` had gone by."""
    with opened(root) as p, p.store.transaction() as session:
        for row in session.query(LoginFailure):
            row.last_at -= by
            if row.locked_until is not None:
                row.locked_until -= by


def test_the_lock_doubles_from_the_allowance_up_to_a_quarter_hour() -> None:
    n = ALLOWANCE["account"]
    assert [lock_length(k, n) for k in range(1, n)] == [dt.timedelta(0)] * (n - 1)
    assert [lock_length(k, n) for k in range(n, n + 4)] == [FIRST_LOCK, FIRST_LOCK * 2, FIRST_LOCK * 4, FIRST_LOCK * 8]
    assert lock_length(n + 10, n) == LONGEST_LOCK == dt.timedelta(minutes=15)


def test_five_wrong_passwords_lock_the_account_on_every_worker(web_project: Path) -> None:
    wrong = (OWNER[0], "not-the-password")
    with TestClient(create_app(web_project)) as client:
        answers = [_login(client, wrong) for _ in range(ALLOWANCE["account"])]
        assert [a.status_code for a in answers] == [401] * 4 + [429]  # type: ignore[attr-defined]
        assert answers[-1].headers["retry-after"] == "60"  # type: ignore[attr-defined]
        right = _login(client, OWNER)
        assert right.status_code == 429 and 0 < int(right.headers["retry-after"]) <= 60  # type: ignore[attr-defined]
        assert "try again in 1 minute" in right.json()["detail"]  # type: ignore[attr-defined]
    # Another worker (another app on the same database) sees the same lock.
    with TestClient(create_app(web_project)) as other_worker:
        assert _login(other_worker, OWNER).status_code == 429  # type: ignore[attr-defined]
        assert _login(other_worker, VIEWER).status_code == 200  # type: ignore[attr-defined]  # other accounts are not locked
    _age_locks(web_project, dt.timedelta(minutes=1, seconds=1))
    with TestClient(create_app(web_project)) as client:
        assert _login(client, wrong).status_code == 429  # type: ignore[attr-defined]  # one more failure: two minutes now
        _age_locks(web_project, dt.timedelta(minutes=2, seconds=1))
        assert _login(client, OWNER).status_code == 200  # type: ignore[attr-defined]
    with opened(web_project) as p:
        assert login_throttle.locked(p.store, OWNER[0], "testclient") is None  # success forgets the failures
        with p.store.read() as session:
            assert session.query(LoginFailure).filter(LoginFailure.key == f"account:{OWNER[0]}").count() == 0


def test_one_address_guessing_many_accounts_is_locked(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        statuses = [_login(client, (f"guess{i}@example.org", "password")).status_code for i in range(ALLOWANCE["address"])]  # type: ignore[attr-defined]
        assert statuses == [401] * (ALLOWANCE["address"] - 1) + [429]
        assert _login(client, VIEWER).status_code == 429  # type: ignore[attr-defined]  # the address, not the account


def test_the_sign_in_page_says_when_to_try_again(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        for _ in range(ALLOWANCE["account"] - 1):
            _login(client, (OWNER[0], "nope-nope"))
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
        r = client.post("/login", data={"email": OWNER[0], "password": "nope-nope", "csrf": token}, follow_redirects=False)
        assert r.status_code == 429 and r.headers["retry-after"] == "60"
        assert "Too many failed sign-ins: try again in 1 minute." in r.text and 'role="alert"' in r.text


def test_failures_are_forgotten_after_a_quiet_quarter_hour(web_project: Path) -> None:
    with TestClient(create_app(web_project)) as client:
        for _ in range(ALLOWANCE["account"] - 1):
            _login(client, (OWNER[0], "nope-nope"))
    _age_locks(web_project, dt.timedelta(minutes=16))
    with TestClient(create_app(web_project)) as client:
        assert _login(client, (OWNER[0], "nope-nope")).status_code == 401  # type: ignore[attr-defined]  # counts from 1 again
    with opened(web_project) as p, p.store.read() as session:
        row = session.query(LoginFailure).filter(LoginFailure.key == f"account:{OWNER[0]}").one()
        assert row.failures == 1 and row.locked_until is None and row.last_at <= utcnow()
