"""What the demo prints, and how it follows a recovery as it happens."""

import collections
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
import threading
from typing import Any

from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond.cloud import records
from vmotiond.db import api as db_api
from vmotiond.db import models
from vmotiond.sim.server import CLOUD_NAME

POLL = 0.25
DONE = (constants.NOTIFICATION_FINISHED, constants.NOTIFICATION_FAILED,
        constants.NOTIFICATION_ABORTED, constants.NOTIFICATION_IGNORED)


def wait_for(condition: Callable[[], bool], seconds: float,
             clock: clock_mod.Clock, stop: threading.Event) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass."""
    deadline = clock.monotonic() + seconds
    while not condition():
        if clock.monotonic() >= deadline or clock.wait(stop, POLL):
            return False
    return True


def verdict(code: int, seconds: float) -> str:
    """The demo's last word: its outcome and how long the scenario ran."""
    return "demo %s in %.0f s" % ("succeeded" if code == 0 else "FAILED",
                                  seconds)


def now_normal(standby: Iterable[str],
               hosts: Iterable[models.Host]) -> list[str]:
    """The hosts of ``standby`` that ``hosts`` shows as normal now."""
    was = set(standby)
    return sorted(h.name for h in hosts
                  if h.name in was and h.role == constants.ROLE_NORMAL)


def count_states(servers: Iterable[records.Server]) -> str:
    counts = collections.Counter(s.status for s in servers)
    return ", ".join("%d %s" % (n, state) for state, n in
                     sorted(counts.items()))


def _check_moved(before: Mapping[str, records.Server],
                 after: Mapping[str, records.Server],
                 misplaced: Callable[[records.Server, records.Server],
                                     str | None]) -> list[str]:
    """What is wrong with the instances of ``before`` in ``after``: gone,
    misplaced (``misplaced(old, new)`` says how) or in another state."""
    problems = []
    for ident, old in sorted(before.items(), key=lambda i: i[1].name):
        new = after.get(ident)
        if new is None:
            problems.append("%s has disappeared" % old.name)
            continue
        fault = misplaced(old, new)
        if fault is not None:
            problems.append(fault)
        elif new.status != old.status:
            problems.append("%s was %s and is now %s"
                            % (old.name, old.status, new.status))
    return problems


def check_recovery(victim: str, before: Mapping[str, records.Server],
                   after: Mapping[str, records.Server]) -> list[str]:
    """Every instance left ``victim`` and kept its power state."""
    return _check_moved(before, after, lambda old, new: (
        "%s is still on %s" % (old.name, victim)
        if new.host == victim else None))


def check_move_back(host: str, before: Mapping[str, records.Server],
                    after: Mapping[str, records.Server]) -> list[str]:
    """Every instance is back on ``host`` in the power state it had."""
    return _check_moved(before, after, lambda old, new: (
        "%s is on %s, not back on %s" % (old.name, new.host, host)
        if new.host != host else None))


class Printer:
    """Lines stamped with the seconds since the demo started."""

    def __init__(self, clock: clock_mod.Clock) -> None:
        self._clock = clock
        self._origin = clock.monotonic()

    def mark(self) -> None:
        """Count the stamps from now on."""
        self._origin = self._clock.monotonic()

    def line(self, text: str) -> None:
        print("[%6.1fs] %s" % (self._clock.monotonic() - self._origin, text),
              flush=True)

    def table(self, header: tuple[str, ...],
              rows: list[tuple[Any, ...]]) -> None:
        cells = [tuple(str(c) for c in row) for row in [header, *rows]]
        widths = [max(len(row[i]) for row in cells)
                  for i in range(len(header))]
        for index, row in enumerate(cells):
            print("  " + "  ".join(c.ljust(w)
                                   for c, w in zip(row, widths, strict=True)))
            if index == 0:
                print("  " + "  ".join("-" * w for w in widths))
        print(flush=True)

    def hosts_table(self, hosts: list[models.Host]) -> None:
        print()
        self.table(("host", "role", "zone", "running/total instances",
                    "RAM used/total MB", "auto-evacuate"),
                   [(h.name, h.role, h.availability_zone,
                     "%d/%d" % (h.instances_running, h.instances_total),
                     "%d/%d" % (h.memory_mb_used, h.memory_mb_total),
                     "on" if h.auto_evacuate else "off") for h in hosts])

    def roles_now(self, standby: Iterable[str],
                  hosts: list[models.Host]) -> None:
        """Say which of the ``standby`` hosts the table showed are normal
        now, and how they become standby hosts again."""
        changed = now_normal(standby, hosts)
        if not changed:
            return
        self.line("%s received instances: normal hosts now, no longer "
                  "standby (as Masakari's reserved hosts), so "
                  "/v1/hosts?role=standby no longer lists them; "
                  "'vmotiond-manage host drain HOST' then 'vmotiond-manage "
                  "host set HOST --role standby' makes one standby again"
                  % ", ".join(changed))

    def moves_table(self, moves: list[models.VMove],
                    before: Mapping[str, records.Server],
                    after: Mapping[str, records.Server]) -> None:
        print()
        rows = []
        for move in moves:
            old = before.get(move.instance_uuid)
            new = after.get(move.instance_uuid)
            took = ("%.1f s" % (move.end_time - move.start_time)
                    .total_seconds() if move.start_time and move.end_time
                    else "-")
            rows.append((move.instance_name, old.status if old else "?",
                         move.dest_host or "-", new.status if new else "?",
                         move.status, took, move.message or ""))
        self.table(("instance", "was", "moved to", "is now", "vmove",
                    "took", "message"), rows)

    def api_examples(self, port: int, uuid: str, clouds: str | None,
                     host_uuid: str | None = None) -> None:
        """The commands that read this recovery, ready to paste: curl on
        the REST API and, when the cloud has a Keystone catalog (``clouds``
        is its clouds.yaml), ``openstack notification ...`` through it
        (``host_uuid``: the failed host's, to filter by)."""
        base = "http://127.0.0.1:%d" % port
        header = "-H 'OpenStack-API-Version: instance-ha 1.3'"
        print("The REST API (Masakari-compatible) is %s/v1, the "
              "instance-ha endpoint of the cloud's catalog:" % base)
        print("  curl %s %s/v1/notifications" % (header, base))
        print("  curl %s %s/v1/notifications/%s/vmoves" % (header, base,
                                                          uuid))
        print("  curl -H 'OpenStack-API-Version: instance-ha 1.4' "
              "%s/v1/hosts" % base)
        if clouds is not None:
            print("With python-openstackclient and python-masakariclient "
                  "installed (and vmotiond beside them for 'openstack "
                  "vmotiond'):")
            for line in openstack_commands(clouds, uuid, host_uuid):
                print("  " + line)
        print("The operator console (in a browser): %s/vmotion/" % base)
        print("  the task of this recovery: %s/vmotion/tasks/%s"
              % (base, uuid))
        print(flush=True)


def openstack_commands(clouds: str, uuid: str,
                       host_uuid: str | None = None) -> list[str]:
    """``openstack`` commands reading notification ``uuid`` (of the host
    whose uuid is ``host_uuid``, when known) through the catalog of the
    cloud ``clouds`` (a clouds.yaml) describes."""
    lines = [
        "export OS_CLIENT_CONFIG_FILE=%s OS_CLOUD=%s" % (clouds, CLOUD_NAME),
        "openstack notification list --sort generated_time:desc,type:asc",
        "openstack --os-ha-api-version 1.1 notification show %s" % uuid,
        "openstack --os-ha-api-version 1.3 notification vmove list %s"
        % uuid,
        "openstack vmotiond vmove list --notification %s" % uuid,
        # From 1.8 a host has its uuid, which --long prints.
        "openstack --os-vmotiond-api-version 1.8 vmotiond host list --long"
        " -c name -c uuid -c role -c monitor_state",
    ]
    if host_uuid:
        lines.append("openstack notification list --filters "
                     "source_host_uuid=%s" % host_uuid)
    return lines


class Follower:
    """Prints what the monitor and the engine do about one host."""

    def __init__(self, db: db_api.Database, out: Printer, host: str,
                 clock: clock_mod.Clock,
                 host_view: Callable[[str], Mapping[str, Any]]) -> None:
        self._db = db
        self._out = out
        self._host = host
        self._clock = clock
        self._host_view = host_view
        self._seen: dict[str, Any] = {"fence": self._fence_state()}

    def _fence_state(self) -> tuple[Any, ...]:
        view = self._host_view(self._host)
        return (view["forced_down"], view["status"], view["disabled_reason"])

    def _changed(self, key: str, value: Any) -> bool:
        if self._seen.get(key) == value:
            return False
        self._seen[key] = value
        return True

    def follow(self, notification_type: str, stop: threading.Event,
               first_deadline: float, end_deadline: float) -> str | None:
        """Print progress until a notification of the host ends.

        Return its uuid, or None when nothing came or ended in time.
        """
        start = self._clock.monotonic()
        uuid = None
        while not self._clock.wait(stop, POLL):
            elapsed = self._clock.monotonic() - start
            self.monitor_state()
            if uuid is None:
                uuid = self._notification(notification_type)
                if uuid is None and elapsed > first_deadline:
                    self._out.line("error: no %s notification for %s "
                                   "after %.0f s" % (notification_type,
                                                     self._host, elapsed))
                    return None
                continue
            row = self._db.notification_get(uuid)
            if row.status in DONE:
                # Its moves ended before it did: they are said first.
                self._fence()
                self._vmoves(uuid)
                self._notification_status(row)
                return uuid
            status = self._notification_status(row)
            self._fence()
            self._vmoves(uuid)
            if elapsed > end_deadline:
                self._out.line("error: notification %s still %s after "
                               "%.0f s" % (uuid, status, elapsed))
                return None
        return None

    def monitor_state(self) -> str:
        """The monitor's state of the host, printed when it changed."""
        row = self._db.host_get(self._host)
        if self._changed("state", row.monitor_state):
            self._out.line("monitor: %s is %s" % (self._host,
                                                  row.monitor_state))
        return row.monitor_state

    def _notification(self, notification_type: str) -> str | None:
        rows = [n for n in self._db.notification_list(
                    host=self._host, type=notification_type,
                    sort_dir="asc")
                if n.uuid not in self._seen.get("old", ())]
        if not rows:
            return None
        row = rows[-1]
        self._out.line("%s notification %s (from %s)" % (
            notification_type, row.uuid, row.source or "vmotiond-manage"))
        return row.uuid

    def forget_notifications(self) -> None:
        """Ignore the notifications that exist now in later ``follow``."""
        self._seen["old"] = {n.uuid for n in self._db.notification_list(
            host=self._host)}

    def _notification_status(self, row: models.Notification) -> str:
        if self._changed("notification", row.status):
            self._out.line("engine: notification %s%s" % (
                row.status, ": " + row.message if row.message else ""))
        return row.status

    def _fence(self) -> None:
        forced_down, status, reason = state = self._fence_state()
        if self._changed("fence", state):
            self._out.line("nova: nova-compute on %s forced_down=%s, %s%s" % (
                self._host, forced_down, status,
                " (%s)" % reason if reason else ""))

    def _vmoves(self, uuid: str) -> None:
        for move in self._db.vmove_list(notification_uuid=uuid,
                                        sort_dir="asc"):
            state = (move.status, move.current_step)
            if not self._changed(move.uuid, state):
                continue
            if move.status == constants.PENDING:
                continue
            if move.status in constants.VMOVE_DONE_STATUSES:
                took = ""
                if move.start_time and move.end_time:
                    took = " in %.1f s" % (move.end_time - move.start_time
                                           ).total_seconds()
                self._out.line("  %-10s %s %s%s%s" % (
                    move.instance_name, move.type, move.status, took,
                    ": " + move.message if move.message else ""))
            else:
                self._out.line("  %-10s %s to %s: %s" % (
                    move.instance_name, move.type, move.dest_host or "?",
                    move.current_step or move.status))
