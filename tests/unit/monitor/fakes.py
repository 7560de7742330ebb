"""Pure fakes for monitor tests: a Nova whose hosts heartbeat on a schedule."""

import dataclasses
import datetime

from vmotiond import constants
from vmotiond.cloud import records as cloud_records
from vmotiond.monitor import records
from vmotiond.monitor import state
from vmotiond.monitor.thresholds import Thresholds

T0 = datetime.datetime(2026, 1, 1, 0, 0, 0)


def svc(host: str, updated_at: datetime.datetime | None,
        status: str = "enabled", forced_down: bool = False,
        reason: str | None = None, state_: str = "up"
        ) -> cloud_records.ComputeService:
    return cloud_records.ComputeService(
        id="id-" + host, host=host, zone="nova", state=state_, status=status,
        forced_down=forced_down, updated_at=updated_at,
        disabled_reason=reason)


@dataclasses.dataclass
class FakeHost:
    name: str
    phase: float                 # seconds after T0 of the first heartbeat
    alive: bool = True           # nova-compute heartbeats
    answers: bool = True         # the host answers the probe
    last: datetime.datetime | None = None
    status: str = "enabled"
    forced_down: bool = False
    reason: str | None = None


class FakeNova:
    """Hosts report every ``interval`` seconds; Nova's clock is ``skew``
    seconds ahead of the monitor's."""

    def __init__(self, n: int, interval: float = 10.0, skew: float = 0.0,
                 th: Thresholds | None = None) -> None:
        self.interval = interval
        self.skew = datetime.timedelta(seconds=skew)
        self.hosts = {f"h{i}": FakeHost(f"h{i}", phase=interval * i / n)
                      for i in range(n)}
        for h in self.hosts.values():      # they reported before T0 too
            h.last = (T0 + datetime.timedelta(seconds=h.phase - interval)
                      + self.skew)
        self.th = th or Thresholds()
        self.now = T0
        self.state = records.ClusterState()
        self.events: list[tuple[datetime.datetime, records.Event]] = []
        self.maintenance: set[str] = set()
        self.unreachable = False

    def advance(self, seconds: float) -> None:
        end = self.now + datetime.timedelta(seconds=seconds)
        for h in self.hosts.values():
            if not h.alive:
                continue
            first = T0 + datetime.timedelta(seconds=h.phase)
            if end < first:
                continue
            k = int((end - first).total_seconds() // self.interval)
            beat = first + datetime.timedelta(seconds=k * self.interval)
            h.last = max(h.last or beat, beat + self.skew)
        self.now = end

    def write(self, name: str, **fields: object) -> None:
        """Update the service record through the API: like Nova, stamp
        ``updated_at`` when a field (status, forced_down, reason)
        changes."""
        host = self.hosts[name]
        changed = {k: v for k, v in fields.items()
                   if getattr(host, k) != v}
        if changed:
            for key, value in changed.items():
                setattr(host, key, value)
            host.last = self.now + self.skew

    def fence(self, name: str) -> None:
        """Force the service down, then disable it, as the engine does."""
        self.write(name, forced_down=True)
        self.write(name, status="disabled",
                   reason=constants.FENCE_REASON_PREFIX + ": host failed")

    def services(self) -> list[cloud_records.ComputeService]:
        return [svc(h.name, h.last, h.status, h.forced_down, h.reason)
                for h in self.hosts.values()]

    def probes(self) -> dict[str, str]:
        cands = state.probe_candidates(self.services(), self.state, self.th,
                                       self.now, self.maintenance)
        return {h: (records.PROBE_ALIVE if self.hosts[h].answers
                    else records.PROBE_DEAD) for h in cands}

    def cycle(self) -> list[records.Event]:
        services = None if self.unreachable else self.services()
        probes = {} if self.unreachable else self.probes()
        self.state, events = state.evaluate(
            services, probes, self.state, self.th, self.now,
            self.maintenance)
        self.events.extend((self.now, e) for e in events)
        return events

    def run(self, seconds: float, poll: float = 1.0) -> None:
        steps = int(round(seconds / poll))
        for _ in range(steps):
            self.advance(poll)
            self.cycle()

    def kinds(self, kind: str) -> list[tuple[datetime.datetime,
                                             records.Event]]:
        return [(t, e) for t, e in self.events if e.kind == kind]

    def host_state(self, name: str) -> str:
        return self.state.hosts[name].state
