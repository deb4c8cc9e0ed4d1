"""Named advisory locks with a time-out, the way pretix locks its scarce resources.

Every kind of lock has its own key space (``LockKind``), so two kinds never collide and a
look at ``pg_locks`` says who holds what (``objid`` is the kind, ``classid`` the object). A
lock is taken inside a transaction and released at its end (``pg_advisory_xact_lock``);
``SET LOCAL lock_timeout`` bounds the wait (and any other lock wait in the rest of that
transaction), so a stuck writer makes the next one fail loudly
with ``LockTimeout`` instead of queueing every worker behind it.
"""

from __future__ import annotations

import enum

from django.conf import settings
from django.db import OperationalError, connection

# PostgreSQL's SQLSTATE for "lock_not_available" (the lock_timeout expired).
LOCK_NOT_AVAILABLE = "55P03"


class LockKind(enum.IntEnum):
    """What a lock guards; the value is its key space."""

    SEARCH_INDEX = 1  # every writer of the search index's documents and sets


class LockTimeout(RuntimeError):
    """The lock could not be taken in time: another transaction holds it."""


def lock_key(kind: LockKind, object_id: int = 0) -> int:
    """One bigint per kind and object: the object's id in the high 32 bits, the kind below."""
    return (object_id << 32) | int(kind)


def hold(kind: LockKind, object_id: int = 0, *, timeout_seconds: float | None = None) -> None:
    """Take the lock until the current transaction ends, waiting at most the time-out.

    Raises ``LockTimeout`` naming the lock when another transaction keeps it longer (the
    transaction is then aborted: the caller's ``atomic`` block rolls back).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("An advisory lock is taken inside transaction.atomic().")
    seconds = settings.ADVISORY_LOCK_TIMEOUT if timeout_seconds is None else timeout_seconds
    milliseconds = max(1, round(seconds * 1000))
    try:
        with connection.cursor() as cursor:
            # One round trip: Django's cursors bind on the client, so both statements go at once.
            cursor.execute(
                "SET LOCAL lock_timeout = %s; SELECT pg_advisory_xact_lock(%s)",
                [f"{milliseconds}ms", lock_key(kind, object_id)],
            )
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        raise LockTimeout(
            f"The {kind.name.lower().replace('_', ' ')} lock (advisory key "
            f"{lock_key(kind, object_id)}) is held by another transaction: gave up after "
            f"{seconds:g} s. Look for it in pg_locks (locktype 'advisory', objid {int(kind)})."
        ) from error
