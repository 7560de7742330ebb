"""Whether this engine still runs a notification, asked before it acts.

An engine takes a notification up under its lock: the claim's generation
goes one up with the engine as its owner (``MoveBatch.claim``). From then
on it changes the cloud only while it holds both: the engine's cloud and
power driver are ``acting`` proxies, so every call that is no read first
asks ``Tenure.check`` of the notification the calling thread works for
(``holding``); and the journal's writes carry the claim (``Fence``), which
the database refuses once another engine took the notification up. A
stale engine meets ``Superseded`` at its next write or call and stops.

The lock is asked before every act. The claim is read again unless the
same thread's fenced write found it in the database less than
``CLAIM_PROVEN_FOR`` before (the journal writes just before a step's
first call): another engine takes a notification up only under its lock,
which the act's own lock check finds lost.
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

from vmotiond import clock as clock_mod
from vmotiond import exception
from vmotiond.cloud import base as cloud_base
from vmotiond.db import api as db_api
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
                 lock: locks_mod.Lock,
                 clock: clock_mod.Clock | None = None) -> None:
        self.db = db
        self.fence = fence
        self.lock = lock
        self.clock = clock or clock_mod.Clock()

    def check(self) -> notifications.Claim:
        """The notification's status and claim while this engine still
        runs it; raise ``Superseded`` when its lock expired or the claim
        is another's."""
        uuid = self.fence.notification_uuid
        if not self.lock.held():
            raise exception.Superseded(
                uuid, "is no longer this engine's: its lock expired")
        row = self.db.notification_claim(uuid)
        if not self.fence.holds(row):
            raise exception.Superseded(
                uuid, "was taken up by %s (generation %d)" % (
                    row.owner, row.generation))
        return row

    def check_acting(self) -> None:
        """``check`` before an act of the calling thread, without reading
        the claim again when this thread's last fenced write proved it
        less than ``CLAIM_PROVEN_FOR`` ago (the lock is asked anyway)."""
        proof = getattr(_current, "proof", None)
        _current.proof = None
        if proof is not None and proof[0] is self.fence and \
                self.clock.monotonic() - proof[1] <= CLAIM_PROVEN_FOR:
            if not self.lock.held():
                raise exception.Superseded(
                    self.fence.notification_uuid,
                    "is no longer this engine's: its lock expired")
            return
        self.check()


# How long a fenced write (``Fence``: the database found the claim still
# this engine's, in its transaction) stands for the claim before the same
# thread's next act: about the time a step takes between the write before
# its call and the call (a move slot's wait), a tenth of the 10 s lease.
CLAIM_PROVEN_FOR = 1.0

_current = threading.local()


@contextlib.contextmanager
def holding(tenure: Tenure | None) -> Iterator[None]:
    """The calling thread works for ``tenure``'s notification meanwhile."""
    previous = getattr(_current, "tenure", None)
    _current.tenure = tenure
    _current.proof = None
    try:
        yield
    finally:
        _current.tenure = previous
        _current.proof = None


def proved(fence: notifications.Fence, monotonic: float) -> None:
    """The calling thread's write fenced by ``fence`` committed at
    ``monotonic`` (the tenure's clock): its next act may skip reading the
    claim (``Tenure.check_acting``)."""
    _current.proof = (fence, monotonic)


def check_current() -> None:
    """``Tenure.check_acting`` of the notification the thread works for,
    if any (an operator's or a monitor's call acts for none)."""
    tenure: Tenure | None = getattr(_current, "tenure", None)
    if tenure is not None:
        tenure.check_acting()


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
