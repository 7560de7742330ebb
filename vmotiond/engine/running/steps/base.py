"""What every vmove step shares: its context, its outcome, its waits.

A step is one verb (``EvacuateInstance``). ``execute`` first checks whether
its effect is already there (a resumed vmove must not repeat a call Nova
already took), then acts, and returns an ``Outcome`` whose context is stored
with the step and handed to the steps after it. ``revert`` undoes only the
step's own effect and is a no-op where there is nothing to undo. Retries
and timing of attempts belong to the runner; waits inside a step poll
against a deadline from the clock and the exit event.
"""

from collections.abc import Callable
from collections.abc import Mapping
import dataclasses
import datetime
import threading
from typing import Any
from typing import ClassVar
from typing import TypeVar

from vmotiond import clock as clock_mod
from vmotiond import exception
from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import records
from vmotiond.conf import defaults
from vmotiond.engine.running import network_view
from vmotiond.engine.running import watch as watch_mod

T = TypeVar("T")
_OPTION = defaults.Group("engine")


@dataclasses.dataclass(frozen=True)
class StepOptions(defaults.Mirror):
    """What steps take from ``[engine]``: the Nova microversion of an
    evacuation and the bounds and pace of their waits."""

    evacuate_microversion: str = _OPTION("evacuate_microversion", str)
    poll_interval: float = _OPTION("poll_interval", float)
    move_timeout: float = _OPTION("move_timeout", float)
    state_timeout: float = _OPTION("state_timeout", float)
    floating_ip_timeout: float = _OPTION("floating_ip_timeout", float)


@dataclasses.dataclass
class StepContext:
    """One vmove as its steps see it.

    ``since`` is when the notification was made: a migration record of the
    instance created since then belongs to this recovery. ``data`` carries
    the contexts of the steps already done (for example the floating IPs
    recorded before the move). ``fresh`` says the step was never tried
    before for this vmove and nothing was asked of Nova for it yet, so the
    instance is as the plan saw it: the step may act without looking for
    its effect first. ``latest`` is the instance as the step before read
    it last, with nothing asked of Nova since (``recent`` takes it).
    """

    cloud: cloud_base.Cloud
    clock: clock_mod.Clock
    stop: threading.Event
    options: StepOptions
    server_id: str
    move_type: str
    source_host: str | None
    dest_host: str | None
    since: datetime.datetime
    final_status: str | None = None
    data: dict[str, Any] = dataclasses.field(default_factory=dict)
    fresh: bool = False
    latest: records.Server | None = None
    # The notification's shared view of its moving servers, when it has one.
    watch: watch_mod.MoveWatch | None = None
    # Its instances' ports and floating IPs, read a chunk at a time.
    network: network_view.NetworkView | None = None
    # Ports and floating IPs as a step read them last, with nothing asked
    # of Neutron since (the next step takes them once, like ``latest``).
    bound: network_view.Bound | None = None

    def server(self) -> records.Server:
        return self.cloud.get_server(self.server_id)

    def recent(self) -> records.Server:
        """``latest`` once (then forgotten), else the server from Nova."""
        server, self.latest = self.latest, None
        return server if server is not None else self.server()

    def poll(self, what: str, check: Callable[[], T | None],
             timeout: float) -> T:
        """Call ``check`` until it returns non-None; fail at the deadline.

        ``check`` may raise ``StepFailed`` to stop early. The wait between
        polls is on the exit event, so a stopping engine leaves at once.
        """
        deadline = self.clock.monotonic() + timeout
        while True:
            found = check()
            if found is not None:
                return found
            left = deadline - self.clock.monotonic()
            if left <= 0:
                raise exception.StepTimedOut(
                    reason="%s: not done after %.0f s" % (what, timeout))
            if self.clock.wait(self.stop,
                               min(self.options.poll_interval, left)):
                raise exception.Interrupted(
                    reason="engine stopping while waiting: %s" % what)


@dataclasses.dataclass(frozen=True)
class Outcome:
    """How a step ended: a sentence for the operator and its context;
    ``note``, when set, is what the vmove's message says of it instead of
    ``result``."""

    result: str
    context: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    note: str | None = None


class Step:
    """Base of the steps: a name, an optional argument, execute, revert."""

    name: ClassVar[str] = ""
    # Steps that move the instance hold one of the engine's move slots
    # ([engine] workers): the others run around them without one.
    moves: ClassVar[bool] = False
    # A moving step that asks Nova for the move: it takes its slot only
    # when it asks, not while it looks whether the move was asked already.
    asks_move: ClassVar[bool] = False
    # A failure of an optional step is recorded (the step and the vmove's
    # message say why) and the vmove goes on without it.
    optional: ClassVar[bool] = False
    # Cloud errors worth another attempt; everything else fails the step.
    retry_on: ClassVar[tuple[type[Exception], ...]] = (
        exception.CloudUnavailable, exception.CloudConflict)

    def __init__(self, arg: str | None = None) -> None:
        self.arg = arg

    @property
    def key(self) -> str:
        return self.name if self.arg is None else "%s:%s" % (self.name,
                                                             self.arg)

    def execute(self, ctx: StepContext) -> Outcome:
        raise NotImplementedError

    def revert(self, ctx: StepContext, outcome: Outcome) -> None:
        """Undo this step's own effect; nothing by default."""

    def __repr__(self) -> str:
        return "<%s %s>" % (type(self).__name__, self.key)


def moved_away(server: records.Server, source_host: str | None) -> bool:
    """Whether the server is on a host other than its source."""
    return server.host is not None and server.host != source_host


def our_migrations(ctx: StepContext, migration_type: str
                   ) -> list[records.Migration]:
    """Migration records of this instance, of this kind, since ``since``."""
    found = ctx.cloud.list_migrations(server_id=ctx.server_id,
                                      migration_type=migration_type)
    return [m for m in found
            if (m.source_compute is None or ctx.source_host is None
                or m.source_compute == ctx.source_host)
            and (m.created_at is None or m.created_at >= ctx.since)]


FAILED_MIGRATION = frozenset({"failed", "error", "cancelled"})
DONE_MIGRATION = frozenset({"done", "completed", "confirmed", "finished"})
