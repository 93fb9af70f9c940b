"""Login rate limiting, per account and per client address, kept in the database (so every worker agrees).

Each key ("account:EMAIL", "address:IP") counts consecutive failures. Past its allowance, every
further failure locks the key for twice as long as the one before (1 min, 2, 4, 8, then 15 min at
most). While a key is locked no password is even checked: the answer is "try again in N seconds"
(HTTP 429 with Retry-After). A successful sign-in clears the account's and the address's count;
failures are forgotten after a quiet quarter of an hour.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from qes.store import Store
from qes.store import team as team_store
from qes.store.schema import utcnow

# Consecutive failures allowed before each kind of key locks. An address is shared by a whole
# office behind one NAT, so it gets more.
ALLOWANCE = {"account": 5, "address": 20}
FIRST_LOCK = dt.timedelta(minutes=1)
LONGEST_LOCK = dt.timedelta(minutes=15)
FORGET_AFTER = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Locked:
    retry_after: int  # seconds
    key: str

    def message(self) -> str:
        minutes = math.ceil(self.retry_after / 60)
        return f"too many failed sign-ins: try again in {minutes} minute{'' if minutes == 1 else 's'}"


def _keys(email: str, address: str) -> dict[str, str]:
    keys = {"account": f"account:{email.strip().lower()}"}
    if address:
        keys["address"] = f"address:{address}"
    return keys


def lock_length(failures: int, allowance: int) -> dt.timedelta:
    """How long the `failures`-th consecutive failure locks a key allowed `allowance` (none before)."""
    if failures < allowance:
        return dt.timedelta(0)
    return min(LONGEST_LOCK, FIRST_LOCK * 2 ** (failures - allowance))


def locked(store: Store, email: str, address: str) -> Locked | None:
    """The longest lock in force on the account or the address, if any."""
    now = utcnow()
    keys = _keys(email, address)
    with store.read() as session:
        rows = team_store.login_failures(session, list(keys.values()))
    waits = [(r.locked_until - now, r.key) for r in rows if r.locked_until is not None and r.locked_until > now]
    if not waits:
        return None
    wait, key = max(waits)
    return Locked(max(1, math.ceil(wait.total_seconds())), key)


def record_failure(store: Store, email: str, address: str) -> Locked | None:
    """Count a failed sign-in; returns the lock it earned, if any."""
    now = utcnow()
    earned: list[Locked] = []
    with store.transaction() as session:
        for kind, key in _keys(email, address).items():
            row = team_store.login_failure_for_update(session, key, now)
            if row.failures and row.last_at < now - FORGET_AFTER and (row.locked_until is None or row.locked_until < now):
                row.failures = 0
            row.failures += 1
            row.last_at = now
            length = lock_length(row.failures, ALLOWANCE[kind])
            if length:
                row.locked_until = now + length
                earned.append(Locked(math.ceil(length.total_seconds()), key))
    return max(earned, key=lambda lock: lock.retry_after) if earned else None


def record_success(store: Store, email: str, address: str) -> None:
    with store.transaction() as session:
        team_store.forget_login_failures(session, list(_keys(email, address).values()))
