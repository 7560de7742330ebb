"""Breaking and mending the simulated hosts (a part of ``SimCloud``).

A host's machine or only its nova-compute dies, comes back or flaps; a
probe of it answers as the machine does.
"""

from collections.abc import Callable
import datetime
import threading

from vmotiond.sim import cloud_state
from vmotiond.sim import model
from vmotiond.sim import states
from vmotiond.sim import timeline as timeline_mod


class HostFaults:
    """What ``SimCloud`` offers to break and mend its hosts."""

    lock: threading.RLock
    state: cloud_state.CloudState
    timeline: timeline_mod.Timeline
    tick: Callable[[], datetime.datetime]

    def kill_host(self, name: str) -> None:
        """The machine dies: heartbeat stops, probes fail, guests die.

        The API still shows its servers ACTIVE, as real Nova does.
        """
        with self.lock:
            now = self.tick()
            host = self.state.host(name)
            self._stop_compute(host, now)
            host.probe_reachable = False

    def kill_compute(self, name: str) -> None:
        """Only nova-compute dies: heartbeat stops, the host answers."""
        with self.lock:
            now = self.tick()
            self._stop_compute(self.state.host(name), now)

    def _stop_compute(self, host: model.Host, now: datetime.datetime) -> None:
        if host.compute_running:
            host.compute_running = False
            host.hb_stop = now

    def revive_host(self, name: str) -> None:
        """The host (and nova-compute) come back.

        The service keeps its ``disabled``/``forced_down`` flags until an
        operator clears them. Guests of a machine that died stay powered
        off (Nova syncs them to SHUTOFF); evacuated instances are cleaned
        up (``done`` evacuations become ``completed`` and free the source
        allocations), as nova-compute does at start.
        """
        with self.lock:
            now = self.tick()
            self._revive(self.state.host(name), now)

    def _revive(self, host: model.Host, now: datetime.datetime) -> None:
        rebooted = not host.probe_reachable
        host.probe_reachable = True
        if host.compute_running:
            return
        host.compute_running = True
        host.hb_start, host.hb_stop = now, None
        if rebooted:
            host.booted_at = now
            for server in list(self.state.by_host.get(host.name, {}).values()):
                if server.vm_state == states.ACTIVE:
                    server.vm_state = states.STOPPED
                    server.power_state = states.POWER_SHUTDOWN
                    server.updated_at = now
        for migration in self.state.migrations:
            if (migration.migration_type == "evacuation"
                    and migration.source_compute == host.name
                    and migration.status in ("accepted", "pre-migrating",
                                             "done")):
                moved = self.state.servers.get(migration.server_id)
                if moved is not None and moved.host != host.name:
                    self.state.free(moved, host.name)
                if migration.status == "done":
                    migration.set_status("completed", now)

    def flap_host(self, name: str, down_s: float, up_s: float,
                  cycles: int = 1, compute_only: bool = False) -> None:
        """Kill and revive the host ``cycles`` times (down, then up)."""
        with self.lock:
            now = self.tick()
            host = self.state.host(name)
            t = now
            def down(at: datetime.datetime) -> None:
                self._flap_down(host, at, compute_only)

            def up(at: datetime.datetime) -> None:
                self._revive(host, at)

            for _ in range(cycles):
                self.timeline.at(t, down)
                t += datetime.timedelta(seconds=down_s)
                self.timeline.at(t, up)
                t += datetime.timedelta(seconds=up_s)
            self.tick()

    def _flap_down(self, host: model.Host, at: datetime.datetime,
                   compute_only: bool) -> None:
        self._stop_compute(host, at)
        if not compute_only:
            host.probe_reachable = False

    def probe(self, name: str) -> bool:
        """Whether the host answers a probe (ping/ssh/IPMI)."""
        with self.lock:
            self.tick()
            return self.state.host(name).probe_reachable

