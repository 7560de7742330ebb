"""The monitor's view of the database, behind one small interface.

``MonitorStore`` is all the monitor needs: the hosts with the operator's
choices and the persisted state-machine records, saving records, the
inventory sync and a notification row for failures nothing will move.
``DbStore`` implements it on ``vmotiond.db.api.Database``; ``MemoryStore``
in memory for tests.
"""

from collections.abc import Iterable
from collections.abc import Mapping
import dataclasses
import datetime
import sys
from typing import Any
from typing import Protocol

from oslo_log import log as logging

from vmotiond import constants
from vmotiond import exception
from vmotiond.db import api as db_api
from vmotiond.monitor import records
from vmotiond.verdict import confirm

LOG = logging.getLogger(__name__)

# Records written per transaction (the first cycle writes every host's).
SAVE_BATCH = 1000


@dataclasses.dataclass(frozen=True, slots=True)
class HostView:
    """One host as the monitor reads it from the hosts table."""

    name: str
    auto_evacuate: bool = True
    management_ip: str | None = None
    maintenance: bool = False
    record: records.HostRecord | None = None


# A host's ``(auto_evacuate, management_ip, maintenance)``: the operator's
# switches and the inventory's address, read every poll.
Switches = tuple[bool, str | None, bool]


class MonitorStore(Protocol):
    def hosts(self) -> dict[str, HostView]: ...

    def switches(self) -> dict[str, Switches]: ...

    def switches_mark(self) -> Any: ...

    def host_records(self) -> dict[str, records.HostRecord]: ...

    def save_records(self, recs: Iterable[records.HostRecord]) -> None: ...

    def sync_inventory(self, items: list[dict[str, Any]]
                       ) -> dict[str, int]: ...

    def set_instance_counts(self, counts: Mapping[str, tuple[int, int]]
                            ) -> int: ...

    def record_failure(self, host: str, dedup_key: str,
                       payload: Mapping[str, Any],
                       generated_time: datetime.datetime, status: str,
                       message: str | None = None) -> None: ...

    def record_alert(self, kind: str, message: str, host: str | None,
                     hosts: list[str],
                     evidence: Mapping[str, Any]) -> None: ...

    def ha_pauses(self) -> frozenset[str]: ...

    def holds(self) -> dict[str, datetime.datetime]: ...

    def save_holds(self, holds: Mapping[str, datetime.datetime]
                   ) -> None: ...


def persisted_fields(rec: records.HostRecord) -> dict[str, Any]:
    """The part of a record worth a write: not the per-poll heartbeat."""
    return {
        "state": rec.state, "since": rec.since,
        "generation": rec.generation, "stale_since": rec.stale_since,
        "suspect_entries": rec.suspect_entries,
        "damped_until": rec.damped_until,
        "healthy_since": rec.healthy_since,
        "reported": tuple(sorted(rec.reported)),
        "written_at": rec.written_at, "service_fields": rec.service_fields,
    }


def worth_saving(rec: records.HostRecord,
                 before: records.HostRecord | None) -> bool:
    """Whether ``rec`` differs from ``before`` in what is persisted."""
    if rec is before:
        return False
    if before is None:
        return True
    return (rec.state != before.state or rec.since != before.since
            or rec.generation != before.generation
            or rec.stale_since != before.stale_since
            or rec.suspect_entries != before.suspect_entries
            or rec.damped_until != before.damped_until
            or rec.healthy_since != before.healthy_since
            or rec.reported != before.reported
            or rec.written_at != before.written_at
            or rec.service_fields != before.service_fields)


def monitor_columns(rec: records.HostRecord) -> dict[str, Any]:
    """The hosts table's monitor columns of a record."""
    return {"monitor_state": rec.state, "monitor_state_since": rec.since,
            "monitor_generation": rec.generation,
            "monitor_detail": to_detail(rec)}


def to_detail(rec: records.HostRecord) -> dict[str, Any]:
    """The JSON ``monitor_detail`` of a record."""
    return {
        "stale_since": _iso(rec.stale_since),
        "stale_count": rec.stale_count,
        "probe_failures": rec.probe_failures,
        "suspect_entries": [_iso(t) for t in rec.suspect_entries],
        "damped_until": _iso(rec.damped_until),
        "healthy_since": _iso(rec.healthy_since),
        "reported": sorted(rec.reported),
        **confirm.detail(rec),
    }


def from_row(name: str, state: str, since: datetime.datetime | None,
             generation: int, detail: Mapping[str, Any] | None
             ) -> records.HostRecord:
    """Rebuild a record from the hosts table's monitor columns.

    Without its heartbeat: the monitor takes ``updated_at`` afresh on a
    restart (the saved one serves a one-off check: ``confirm.saved``).
    """
    detail = detail or {}
    seen = confirm.remembered(state, detail)
    # Interned: one object per name and state, shared with Nova's answer.
    return records.HostRecord(
        host=sys.intern(name), state=sys.intern(seen.state), since=since,
        generation=generation or 0,
        stale_since=_time(detail.get("stale_since")),
        stale_count=int(detail.get("stale_count") or 0),
        probe_failures=int(detail.get("probe_failures") or 0),
        suspect_entries=tuple(t for t in (
            _time(v) for v in detail.get("suspect_entries") or ())
            if t is not None),
        damped_until=_time(detail.get("damped_until")),
        healthy_since=_time(detail.get("healthy_since")),
        reported=frozenset(detail.get("reported") or ()) or _NONE,
        written_at=seen.written_at, service_fields=seen.service_fields)


class DbStore:
    """``MonitorStore`` on the data API.

    Maintenance is the operator's ``hosts.maintenance`` switch; the monitor
    never writes it.
    """

    def __init__(self, database: db_api.Database,
                 source: str = constants.MONITOR) -> None:
        self._db = database
        self._source = source

    def hosts(self) -> dict[str, HostView]:
        out = {}
        for row in self._db.host_list(rows=True):
            name = row["name"]
            out[name] = HostView(
                name=name, auto_evacuate=bool(row["auto_evacuate"]),
                management_ip=row["management_ip"],
                maintenance=bool(row["maintenance"]),
                record=from_row(name, row["monitor_state"],
                                row["monitor_state_since"],
                                row["monitor_generation"],
                                row["monitor_detail"]))
        return out

    def switches(self) -> dict[str, Switches]:
        return self._db.host_switches()

    def switches_mark(self) -> Any:
        """What moves when the switches change (see ``host_switches_mark``)."""
        return self._db.host_switches_mark()

    def host_records(self) -> dict[str, records.HostRecord]:
        return {row[0]: from_row(*row)
                for row in self._db.host_monitor_rows()}

    def save_records(self, recs: Iterable[records.HostRecord]) -> None:
        """Write the records' monitor columns, a transaction per
        ``SAVE_BATCH`` records (each record whole in one)."""
        recs = list(recs)
        missing = []
        for i in range(0, len(recs), SAVE_BATCH):
            missing += self._db.hosts_update_monitor(
                {rec.host: monitor_columns(rec)
                 for rec in recs[i:i + SAVE_BATCH]})
        for name in missing:
            LOG.info("Host %s is not in the hosts table yet; its state "
                     "is kept in memory until the next inventory sync",
                     name)

    def sync_inventory(self, items: list[dict[str, Any]]) -> dict[str, int]:
        return dict(self._db.hosts_sync(items))

    def set_instance_counts(self, counts: Mapping[str, tuple[int, int]]
                            ) -> int:
        return self._db.hosts_set_instance_counts(counts)

    def record_failure(self, host: str, dedup_key: str,
                       payload: Mapping[str, Any],
                       generated_time: datetime.datetime, status: str,
                       message: str | None = None) -> None:
        """Persist a host failure's notification once (by its key)."""
        try:
            self._db.notification_create(
                constants.COMPUTE_HOST, host, dedup_key, payload,
                source=constants.MONITOR, generated_time=generated_time,
                status=status, message=message)
        except exception.DuplicateNotification:
            LOG.debug("Notification %s exists already", dedup_key)

    def record_alert(self, kind: str, message: str, host: str | None,
                     hosts: list[str],
                     evidence: Mapping[str, Any]) -> None:
        """Persist an alert; readable over REST (GET /v1/alerts)."""
        self._db.alert_create(kind, self._source, message, host=host,
                              hosts=hosts, evidence=evidence)

    def ha_pauses(self) -> frozenset[str]:
        """The paused scopes: ``*`` or aggregate names."""
        return frozenset(row.scope for row in self._db.ha_pauses())

    def holds(self) -> dict[str, datetime.datetime]:
        """The cool-downs after a storm (``holds_of``), as last saved."""
        return self._db.monitor_holds()

    def save_holds(self, holds: Mapping[str, datetime.datetime]) -> None:
        self._db.monitor_holds_set(holds)


class MemoryStore:
    """``MonitorStore`` in memory, for tests and the demo."""

    def __init__(self, views: Iterable[HostView] = ()) -> None:
        self.views = {v.name: v for v in views}
        self.saved: dict[str, records.HostRecord] = {}
        self.failures: dict[str, dict[str, Any]] = {}
        self.synced: list[list[dict[str, Any]]] = []
        self.counted: list[dict[str, tuple[int, int]]] = []
        self.alerts: list[dict[str, Any]] = []
        self.pauses: set[str] = set()
        self.held: dict[str, datetime.datetime] = {}

    def hosts(self) -> dict[str, HostView]:
        return {name: dataclasses.replace(v, record=self.saved.get(name))
                for name, v in self.views.items()}

    def switches(self) -> dict[str, Switches]:
        return {name: (v.auto_evacuate, v.management_ip, v.maintenance)
                for name, v in self.views.items()}

    def switches_mark(self) -> Any:
        return None         # none: read the switches every time

    def host_records(self) -> dict[str, records.HostRecord]:
        return {name: self.saved[name] for name in self.views
                if name in self.saved}

    def save_records(self, recs: Iterable[records.HostRecord]) -> None:
        for rec in recs:
            self.saved[rec.host] = rec

    def sync_inventory(self, items: list[dict[str, Any]]) -> dict[str, int]:
        self.synced.append(items)
        names = {item["name"] for item in items}
        created = len(names - set(self.views))
        deleted = len(set(self.views) - names)
        for name in names - set(self.views):
            self.views[name] = HostView(name=name)
        for item in items:
            view = self.views[item["name"]]
            self.views[item["name"]] = dataclasses.replace(
                view, management_ip=item.get("management_ip"))
        for name in set(self.views) - names:
            del self.views[name]
        return {"created": created, "updated": len(names) - created,
                "deleted": deleted}

    def set_instance_counts(self, counts: Mapping[str, tuple[int, int]]
                            ) -> int:
        self.counted.append(dict(counts))
        return len(self.views)

    def record_failure(self, host: str, dedup_key: str,
                       payload: Mapping[str, Any],
                       generated_time: datetime.datetime, status: str,
                       message: str | None = None) -> None:
        self.failures.setdefault(dedup_key, {
            "host": host, "payload": dict(payload), "status": status,
            "message": message, "generated_time": generated_time})

    def record_alert(self, kind: str, message: str, host: str | None,
                     hosts: list[str],
                     evidence: Mapping[str, Any]) -> None:
        self.alerts.append({"type": kind, "message": message, "host": host,
                            "hosts": list(hosts),
                            "evidence": dict(evidence)})

    def ha_pauses(self) -> frozenset[str]:
        return frozenset(self.pauses)

    def holds(self) -> dict[str, datetime.datetime]:
        return dict(self.held)

    def save_holds(self, holds: Mapping[str, datetime.datetime]) -> None:
        self.held = dict(holds)


# The scope of the global guard's hold-down among the holds.
GUARD = "*"


def holds_of(state: records.ClusterState) -> dict[str, datetime.datetime]:
    """What of ``state`` a monitor that takes over must honour: the
    global guard's hold-down (``GUARD``) and the zones' and aggregates'
    cool-downs after their storms."""
    holds = dict(state.domain_holds)
    if state.guard_until is not None:
        holds[GUARD] = state.guard_until
    return holds


def with_holds(state: records.ClusterState,
               holds: Mapping[str, datetime.datetime],
               now: datetime.datetime) -> records.ClusterState:
    """``state`` with the saved ``holds`` that still run at ``now``."""
    running = {k: v for k, v in holds.items() if now < v}
    return dataclasses.replace(
        state, guard_until=running.pop(GUARD, None), domain_holds=running)


# Nothing reported: one empty set for every record (not one each).
_NONE: frozenset[str] = frozenset()


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: Any) -> datetime.datetime | None:
    if not value:
        return None
    return datetime.datetime.fromisoformat(str(value))
