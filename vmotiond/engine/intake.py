"""Intake: hear host notifications, validate, persist, then acknowledge.

The monitor (and any other monitor speaking the same payload) sends
``vmotiond.host.down`` notifications on ``[monitor] notification_topic``
with the versioned payload of ``vmotiond.monitor.payload`` (version 1.x).
A plain mapping with the same fields is accepted too::

    {"host": "compute-1",            # Nova's host name (required)
     "generation": 3,                # the monitor's failure counter
     "detected_at": "2026-01-01T00:00:00Z",
     "evidence": {...},              # why the monitor decided (free form)
     "dedup_key": "COMPUTE_HOST:compute-1:3"}   # optional

The dedup key (given, else ``COMPUTE_HOST:<host>:<generation>``) makes one
failure of one host one notification; a repeat is recorded as ``ignored``
with a message naming the original, and starts nothing. The notification
is written before the message is acknowledged; a database error requeues
it.
"""

from collections.abc import Callable
from collections.abc import Mapping
import dataclasses
import datetime
from typing import Any
import uuid as uuidlib

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_log import log as logging
import oslo_messaging

from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond import exception
from vmotiond.db import api as db_api
from vmotiond.monitor import payload as payload_mod

LOG = logging.getLogger(__name__)

EVENT_HOST_DOWN = payload_mod.EVENT_HOST_DOWN
PUBLISHER_ID = "vmotiond-monitor"


@dataclasses.dataclass(frozen=True)
class HostDown:
    """A validated host-down notification."""

    host: str
    generation: int | None
    detected_at: datetime.datetime | None
    evidence: Mapping[str, Any]
    dedup_key: str
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        """What is stored with the notification."""
        out = dict(self.raw)
        out.update({"host": self.host, "generation": self.generation,
                    "detected_at": (self.detected_at.isoformat()
                                    if self.detected_at else None),
                    "evidence": dict(self.evidence)})
        return out


def validate(payload: Any) -> HostDown:
    """Return the notification as a record, or raise InvalidInput."""
    if payload_mod.is_versioned(payload):
        try:
            data = payload_mod.parse(payload)
        except ValueError as exc:
            raise exception.InvalidInput(reason=str(exc)) from exc
    elif isinstance(payload, Mapping):
        data = dict(payload)
    else:
        raise exception.InvalidInput(reason="payload is not a mapping")
    host = data.get("host")
    if not isinstance(host, str) or not host.strip():
        raise exception.InvalidInput(reason="payload has no host")
    host = host.strip()
    generation = data.get("generation")
    if generation is not None and (
            isinstance(generation, bool) or not isinstance(generation, int)
            or generation < 0):
        raise exception.InvalidInput(
            reason="generation must be a non-negative integer")
    detected_at = data.get("detected_at")
    if detected_at is not None and not isinstance(detected_at,
                                                  datetime.datetime):
        try:
            detected_at = payload_mod.parse_time(detected_at)
        except ValueError as exc:
            raise exception.InvalidInput(reason=str(exc)) from exc
    evidence = data.get("evidence") or {}
    if not isinstance(evidence, Mapping):
        raise exception.InvalidInput(reason="evidence is not a mapping")
    key = data.get("dedup_key")
    if not key:
        if generation is None:
            raise exception.InvalidInput(
                reason="payload has neither generation nor dedup_key")
        key = payload_mod.dedup_key(host, generation)
    raw = {k: v for k, v in data.items() if k != "detected_at"}
    return HostDown(host, generation, detected_at, evidence, str(key), raw)


def record(db: db_api.Database, clock: clock_mod.Clock, down: HostDown,
           source: str | None) -> tuple[str, bool]:
    """Persist ``down``; return (uuid, to_start).

    The monitor persists its own verdicts before it sends them: a message
    whose notification exists and was never started starts that one.
    Other duplicates are recorded ``ignored`` with a message naming the
    original, and start nothing.
    """
    try:
        row = db.notification_create(
            constants.COMPUTE_HOST, down.host, down.dedup_key,
            down.payload(), source=source,
            generated_time=down.detected_at or clock.now())
        return row.uuid, True
    except exception.DuplicateNotification:
        original = db.notification_get_by_key(down.dedup_key)
        if original is not None and \
                original.status == constants.NOTIFICATION_NEW:
            return original.uuid, True
        ident = original.uuid if original is not None else "?"
        dup = db.notification_create(
            constants.COMPUTE_HOST, down.host,
            "%s#dup-%s" % (down.dedup_key, uuidlib.uuid4().hex[:12]),
            down.payload(), source=source,
            generated_time=down.detected_at or clock.now(),
            status=constants.NOTIFICATION_IGNORED,
            message="duplicate of notification %s" % ident)
        LOG.info("Duplicate notification %s for host %s recorded as %s",
                 down.dedup_key, down.host, dup.uuid)
        return dup.uuid, False


class Endpoint:
    """oslo.messaging notification endpoint for host-down events."""

    filter_rule = oslo_messaging.NotificationFilter(
        event_type=r"^vmotiond\.host\.down$")

    def __init__(self, db: db_api.Database, clock: clock_mod.Clock,
                 on_new: Callable[[str], object]) -> None:
        self.db = db
        self.clock = clock
        self.on_new = on_new

    def handle(self, publisher_id: str | None, event_type: str,
               payload: Any) -> Any:
        try:
            down = validate(payload)
        except exception.InvalidInput as exc:
            LOG.warning("Dropped invalid %s from %s: %s", event_type,
                        publisher_id, exc)
            return oslo_messaging.NotificationResult.HANDLED
        try:
            uuid, new = record(self.db, self.clock, down, publisher_id)
        except (db_exc.DBError, exception.DatabaseUnavailable) as exc:
            LOG.warning("Database error recording %s for %s, requeued: %s",
                        event_type, down.host, exc)
            return oslo_messaging.NotificationResult.REQUEUE
        if new:
            self.on_new(uuid)
        return oslo_messaging.NotificationResult.HANDLED

    def info(self, ctxt: Any, publisher_id: str, event_type: str,
             payload: Any, metadata: Any) -> Any:
        return self.handle(publisher_id, event_type, payload)

    warn = info
    error = info
    critical = info


class Intake:
    """The notification listener (threading executor)."""

    def __init__(self, conf: cfg.ConfigOpts,
                 transport: oslo_messaging.Transport,
                 endpoint: Endpoint) -> None:
        topic = conf.monitor.notification_topic
        # Engines share one queue per topic (a message goes to one of
        # them); the pool names it after the topic, as RabbitMQ names the
        # queue after the pool whatever the topic.
        self.listener = oslo_messaging.get_notification_listener(
            transport, [oslo_messaging.Target(topic=topic)], [endpoint],
            executor="threading", allow_requeue=True,
            pool="vmotiond-engine.%s" % topic)

    def start(self) -> None:
        self.listener.start()

    def stop(self) -> None:
        self.listener.stop()
        self.listener.wait()
