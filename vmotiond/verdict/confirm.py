"""Nova's word on a claimed host failure.

A failure claim that is not sealed with ``[monitor] verdict_key`` (another
monitor's, or a host-down message on a bus every compute node may write)
is acted on only when Nova confirms it: ``nova_confirms``. The monitor's
listener asks it of other monitors' claims, the engine's intake of an
unsealed host-down message; both read ``updated_at`` as the monitor's poll
reads it.

Nova stamps ``updated_at`` on every write that changes a service record:
the heartbeat of nova-compute, but also forcing the service down,
disabling or enabling it (vmotiond's fence, an operator). Such a write is
no sign of life; ``heartbeat_of`` tells the two apart by the fields the
write changed, with what the monitor remembers of the record (``Seen``:
its ``HostRecord``, or the part of it saved in the hosts table, read back
by ``saved``).
"""

from collections.abc import Iterable
from collections.abc import Mapping
import dataclasses
import datetime
from typing import Any
from typing import Protocol

from vmotiond import constants
from vmotiond import exception
from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import records as cloud_records
from vmotiond.verdict import payload as payload_mod

# A service record's (status, forced_down, disabled_reason).
ServiceFields = tuple[str, bool, str | None]

# States in which a host is part of a failure incident.
INCIDENT_STATES = (constants.HOST_DOWN, constants.HOST_FENCED,
                   constants.HOST_RECOVERING)


class Seen(Protocol):
    """What the monitor remembers of a host's service record.

    ``heartbeat`` and ``written_at`` are Nova's ``updated_at`` as
    reported: of the last heartbeat, and of the last write that was not
    one.
    """

    @property
    def state(self) -> str: ...

    @property
    def heartbeat(self) -> datetime.datetime | None: ...

    @property
    def written_at(self) -> datetime.datetime | None: ...

    @property
    def service_fields(self) -> ServiceFields | None: ...


@dataclasses.dataclass(frozen=True)
class Memory:
    """A ``Seen`` as the hosts table keeps it (``monitor_state`` and three
    keys of ``monitor_detail``: ``detail``)."""

    state: str = constants.HOST_UP
    heartbeat: datetime.datetime | None = None
    written_at: datetime.datetime | None = None
    service_fields: ServiceFields | None = None


class NotConfirmed(Exception):
    """Nova does not confirm a claimed failure; the message says why."""


def detail(seen: Seen) -> dict[str, Any]:
    """The keys of ``monitor_detail`` that keep ``seen`` (JSON)."""
    return {
        "written_at": _iso(seen.written_at),
        "service_fields": (list(seen.service_fields)
                           if seen.service_fields is not None else None),
        "heartbeat": _iso(seen.heartbeat),
    }


def remembered(state: str | None, monitor_detail: Mapping[str, Any] | None
               ) -> Memory:
    """The ``Memory`` of a hosts row's monitor columns (see ``detail``).

    Its heartbeat is the one seen at the record's last save, not the
    host's last: it judges the write the monitor saw.
    """
    data = monitor_detail or {}
    return Memory(state=state or constants.HOST_UP,
                  heartbeat=_time(data.get("heartbeat")),
                  written_at=_time(data.get("written_at")),
                  service_fields=_fields(data.get("service_fields")))


def saved(rows: Iterable[Any]) -> dict[str, Memory]:
    """What the monitor saved in the hosts table, by host name."""
    return {row.name: remembered(row.monitor_state, row.monitor_detail)
            for row in rows}


def service_fields(service: cloud_records.ComputeService) -> ServiceFields:
    """What the fence or an operator writes on a service record."""
    fields = (service.status, service.forced_down, service.disabled_reason)
    # The same few values for nearly every host: one tuple for them all.
    shared = _SHARED_FIELDS.get(fields)
    if shared is not None:
        return shared
    if len(_SHARED_FIELDS) < _SHARED_FIELDS_MAX:
        _SHARED_FIELDS[fields] = fields
    return fields


# Service fields seen, each kept once (a few: a reason is free text, so
# at most ``_SHARED_FIELDS_MAX``).
_SHARED_FIELDS: dict[ServiceFields, ServiceFields] = {}
_SHARED_FIELDS_MAX = 64


def heartbeat_of(service: cloud_records.ComputeService,
                 seen: Seen | None
                 ) -> tuple[datetime.datetime | None,
                            datetime.datetime | None]:
    """Split ``updated_at`` into ``(heartbeat, written_at)`` (pure).

    ``written_at`` is the stamp of the last write that changed status,
    forced_down or disabled_reason (nova-compute's heartbeat changes none
    of them); until the stamp moves on, the heartbeat is the one seen
    before that write. A write and a heartbeat between two polls count as
    the write: the next heartbeat shows the host alive. On first sight
    ``updated_at`` is taken as a heartbeat; so it is after a restart
    (heartbeat not known) unless the host is in a failure incident.
    """
    stamp = service.updated_at
    if seen is None or seen.service_fields is None:
        return stamp, None
    written = stamp is not None and (
        stamp == seen.written_at
        or (stamp != seen.heartbeat
            and service_fields(service) != seen.service_fields))
    if not written:
        return stamp, None
    beat = seen.heartbeat
    if beat is None and seen.state not in INCIDENT_STATES:
        beat = stamp
    return beat, stamp


def _as_of(service: cloud_records.ComputeService,
           seen: Seen | None) -> Seen | None:
    """``seen`` as it judges ``service`` in a one-off check.

    A saved heartbeat is the one seen when the monitor saw the last write
    (``written_at``). It is the host's last only while Nova still shows
    that write; otherwise it is dropped, as after a restart, so a write
    the monitor has not seen yet is a heartbeat unless the host is in a
    failure incident.
    """
    if seen is None or service.updated_at == seen.written_at:
        return seen
    return Memory(seen.state, None, seen.written_at, seen.service_fields)


def nova_confirms(cloud: cloud_base.Cloud, host: str, threshold: float,
                  seen: Mapping[str, Seen] | None = None
                  ) -> dict[str, Any]:
    """Nova's view of a claimed failure of ``host``, as evidence.

    Raise ``NotConfirmed`` when Nova cannot be asked, has no compute
    service on the host, or shows a heartbeat of it at most ``threshold``
    seconds old (measured against the freshest heartbeat) and it is not
    forced down. ``updated_at`` is read by ``heartbeat_of`` with what the
    monitor saw (``seen``, by host): a write to the service record,
    vmotiond's fence or an operator's disable, is no heartbeat.
    """
    try:
        services = cloud.list_compute_services()
    except exception.CloudError as exc:
        raise NotConfirmed("cannot check with Nova: %s" % exc) from exc
    mine = [s for s in services if s.host == host]
    if not mine:
        raise NotConfirmed("Nova has no compute service on %s" % host)
    svc = mine[0]
    seen = seen or {}
    beats = {s.host: heartbeat_of(s, _as_of(s, seen.get(s.host)))[0]
             for s in services}
    beat = beats[host]
    known = [b for b in beats.values() if b is not None]
    if beat is None or not known:
        age = float("inf")
    else:
        age = (max(known) - beat).total_seconds()
    if not svc.forced_down and age <= threshold:
        raise NotConfirmed("Nova shows a fresh heartbeat from %s (%.1f s "
                           "old)" % (host, age))
    return {"nova_heartbeat_age": age, "nova_forced_down": svc.forced_down}


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: Any) -> datetime.datetime | None:
    return payload_mod.parse_time(value) if value else None


def _fields(value: Any) -> ServiceFields | None:
    if not isinstance(value, list) or len(value) != 3:
        return None
    status, forced_down, reason = value
    return (str(status), bool(forced_down),
            None if reason is None else str(reason))
