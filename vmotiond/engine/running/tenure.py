"""Whether this engine still runs a notification, asked before it acts.

An engine takes a notification up under its lock: the claim's generation
goes one up with the engine as its owner (``MoveBatch.claim``). From then
on it changes the cloud only while it holds both: the engine's cloud and
power driver are ``acting`` proxies, so every call that is no read first
asks ``Tenure.check`` of the notification the calling thread works for
(``holding``); and the journal's writes carry the claim (``Fence``), which
the database refuses once another engine took the notification up. A
stale engine meets ``Superseded`` at its next write or call and stops.
"""

from collections.abc import Callable
from collections.abc import Iterator
import contextlib
import functools
import os
import secrets
import threading
import typing
from typing import Any
from typing import TypeVar

from vmotiond import exception
from vmotiond.cloud import base as cloud_base
from vmotiond.db import api as db_api
from vmotiond.db import models
from vmotiond.db import notifications
from vmotiond.engine import locks as locks_mod

T = TypeVar("T")


def engine_id(host: str) -> str:
    """This engine as a claim's owner: its host, process and a random
    part (a restarted engine that reuses a pid is another owner)."""
    return "%s:%d:%s" % (host, os.getpid(), secrets.token_hex(4))


class Tenure:
    """One engine's hold on one notification: its claim and its lock."""

    def __init__(self, db: db_api.Database, fence: notifications.Fence,
                 lock: locks_mod.Lock) -> None:
        self.db = db
        self.fence = fence
        self.lock = lock

    def check(self) -> models.Notification:
        """The notification's row while this engine still runs it; raise
        ``Superseded`` when its lock expired or the claim is another's."""
        uuid = self.fence.notification_uuid
        if not self.lock.held():
            raise exception.Superseded(
                uuid, "is no longer this engine's: its lock expired")
        row = self.db.notification_get(uuid)
        if not self.fence.holds(row):
            raise exception.Superseded(
                uuid, "was taken up by %s (generation %d)" % (
                    row.owner, row.generation))
        return row


_current = threading.local()


@contextlib.contextmanager
def holding(tenure: Tenure | None) -> Iterator[None]:
    """The calling thread works for ``tenure``'s notification meanwhile."""
    previous = getattr(_current, "tenure", None)
    _current.tenure = tenure
    try:
        yield
    finally:
        _current.tenure = previous


def check_current() -> None:
    """``Tenure.check`` of the notification the thread works for, if any
    (an operator's or a monitor's call acts for none)."""
    tenure: Tenure | None = getattr(_current, "tenure", None)
    if tenure is not None:
        tenure.check()


class _Acting:
    """``target`` with ``before`` called before every call that is no read
    (``list_*``, ``get_*``), and ``after`` with what Nova named the
    request (a str result; None for others)."""

    def __init__(self, target: Any, before: Callable[[], None],
                 after: Callable[[str | None], None] | None) -> None:
        self._target = target
        self._before = before
        self._after = after

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not cloud_base.acts(name) or not callable(attr):
            return attr
        before, after = self._before, self._after

        @functools.wraps(attr)
        def act(*args: Any, **kwargs: Any) -> Any:
            before()
            result = attr(*args, **kwargs)
            if after is not None:
                after(result if isinstance(result, str) else None)
            return result
        return act


def acting(target: T, before: Callable[[], None] = check_current,
           after: Callable[[str | None], None] | None = None) -> T:
    """``target`` (a cloud, a power driver) calling ``before`` before
    every call that acts: by default, the check that this engine still
    runs the notification the thread works for; and ``after`` with the
    call's request id (the journal keeps it for the step)."""
    return typing.cast(T, _Acting(target, before, after))
