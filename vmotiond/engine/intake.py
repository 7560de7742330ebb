"""Intake: hear host notifications, check them, persist, then acknowledge.

The monitor sends ``vmotiond.host.down`` on ``[monitor]
notification_topic``; what a message holds, how it is sealed and how Nova
confirms it is the contract of ``vmotiond.verdict``. Every compute node
holds credentials for the same bus, so a message is a request, not an
order. Before anything is stored or fenced (``admit``):

1. the payload is well typed and bounded (``validation.validate``);
2. a notification the monitor persisted under the message's key and
   nobody started is started: the database is the authority;
3. with ``[monitor] verdict_key`` set the message must carry the
   monitor's signature; without it, the message is a claim that Nova must
   confirm (``confirm.nova_confirms``: stale heartbeat or forced down; a
   write to the service record the monitor saw is no heartbeat);
4. the host is in the hosts inventory, and ``detected_at`` is at most
   ``[engine] notification_max_age`` old and not in the future;
5. a host has one recovery at a time: a message for a host whose
   recovery is new or running is recorded ``ignored``.

A refused message is logged, recorded as an alert with the reason and
dropped. The notification is written before the message is acknowledged;
a transient database error requeues the message, a permanent one (data
too long, integrity: ``db.retry.is_permanent``) is logged, alerted and dropped.
"""

from collections.abc import Callable
from collections.abc import Mapping
import dataclasses
import datetime
import json
import math
from typing import Any
import uuid as uuidlib

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_log import log as logging
import oslo_messaging

from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond import exception
from vmotiond import messaging
from vmotiond.cloud import base as cloud_base
from vmotiond.db import api as db_api
from vmotiond.db import retry as db_retry
from vmotiond.verdict import confirm
from vmotiond.verdict import payload as payload_mod
from vmotiond.verdict import signing
from vmotiond.verdict import validation

LOG = logging.getLogger(__name__)

EVENT_HOST_DOWN = payload_mod.EVENT_HOST_DOWN
ALERT_REFUSED = "notification_refused"
ALERT_UNSTORABLE = "notification_unstorable"

TRANSIENT_DB_ERRORS = (db_exc.DBError, exception.DatabaseUnavailable)


class Refused(Exception):
    """A message the engine does not act on; the text says why."""


@dataclasses.dataclass(frozen=True)
class Checks:
    """What the engine requires of a host-down message."""

    key: str | None = None
    max_age: float = 300.0
    heartbeat_threshold: float = 14.0

    @classmethod
    def from_conf(cls, conf: cfg.ConfigOpts) -> "Checks":
        return cls(key=conf.monitor.verdict_key or None,
                   max_age=conf.engine.notification_max_age,
                   heartbeat_threshold=conf.monitor.heartbeat_threshold)


def check(down: validation.HostDown, payload: Mapping[str, Any],
          checks: Checks, known: bool, now: datetime.datetime,
          nova: Callable[[], Mapping[str, Any]]) -> dict[str, Any]:
    """Raise ``Refused`` unless ``down`` may be acted on; return the
    evidence the checks add. ``nova()`` asks Nova (claims only)."""
    if checks.key is not None:
        problem = signing.check(payload, checks.key)
        if problem is not None:
            raise Refused("%s with [monitor] verdict_key (other monitors "
                          "send claims to [monitor] listener_topic)"
                          % problem)
    if not known:
        raise Refused("unknown host %s" % validation.short(down.host))
    age = (now - down.detected_at).total_seconds()
    if age > checks.max_age:
        raise Refused("stale: detected %.0f s ago (notification_max_age "
                      "%.0f)" % (age, checks.max_age))
    if age < -validation.FUTURE_SLACK:
        raise Refused("detected %.0f s in the future" % -age)
    if checks.key is not None:
        return {"trust": "signed"}
    try:
        view = dict(nova())
    except confirm.NotConfirmed as exc:
        raise Refused(str(exc)) from None
    if not math.isfinite(view.get("nova_heartbeat_age") or 0.0):
        view["nova_heartbeat_age"] = None
    return {"trust": "confirmed by Nova", **view}


def record(db: db_api.Database, down: validation.HostDown,
           source: str | None) -> tuple[str, bool]:
    """Persist ``down``; return (uuid, to_start).

    The monitor persists its own verdicts before it sends them: a message
    whose notification exists and was never started starts that one; once
    started, the message is acknowledged and starts nothing.
    Other duplicates, and a failure of a host whose recovery is new or
    running already, are recorded ``ignored`` with a message naming the
    original, and start nothing.
    """
    original = db.notification_get_by_key(down.dedup_key)
    if original is None:
        active = _active_recovery(db, down.host)
        if active is not None:
            return _ignored(db, down, source,
                            "host %s is being recovered by notification %s"
                            % (down.host, active)), False
    try:
        row = db.notification_create(
            constants.COMPUTE_HOST, down.host, down.dedup_key,
            down.payload(), source=source,
            generated_time=down.detected_at)
        return row.uuid, True
    except exception.DuplicateNotification:
        original = db.notification_get_by_key(down.dedup_key)
    if original is not None and \
            original.status == constants.NOTIFICATION_NEW:
        return original.uuid, True
    if original is not None and original.source == constants.MONITOR:
        # The monitor's verdict, persisted before it was sent and taken up
        # already by the poll for new notifications: this is its delivery.
        LOG.debug("Notification %s (%s) was taken up before its message "
                  "arrived", down.dedup_key, original.uuid)
        return original.uuid, False
    ident = original.uuid if original is not None else "?"
    return _ignored(db, down, source,
                    "duplicate of notification %s" % ident), False


def _active_recovery(db: db_api.Database, host: str) -> str | None:
    rows = db.notification_list(
        status=(constants.NOTIFICATION_NEW, constants.NOTIFICATION_RUNNING),
        host=host, type=constants.COMPUTE_HOST, sort_dir="asc", limit=1)
    return rows[0].uuid if rows else None


def _ignored(db: db_api.Database, down: validation.HostDown,
             source: str | None, message: str) -> str:
    dup = db.notification_create(
        constants.COMPUTE_HOST, down.host,
        "%s#dup-%s" % (down.dedup_key, uuidlib.uuid4().hex[:12]),
        down.payload(), source=source,
        generated_time=down.detected_at,
        status=constants.NOTIFICATION_IGNORED, message=message)
    LOG.info("Notification %s for host %s recorded as %s: %s",
             down.dedup_key, down.host, dup.uuid, message)
    return dup.uuid


class Endpoint:
    """oslo.messaging notification endpoint for host-down events."""

    filter_rule = oslo_messaging.NotificationFilter(
        event_type=r"^vmotiond\.host\.down$")

    def __init__(self, db: db_api.Database, clock: clock_mod.Clock,
                 on_new: Callable[[str], object], cloud: cloud_base.Cloud,
                 checks: Checks, source: str = "vmotiond-engine") -> None:
        self.db = db
        self.clock = clock
        self.on_new = on_new
        self.cloud = cloud
        self.checks = checks
        self.source = source

    def handle(self, publisher_id: str | None, event_type: str,
               payload: Any) -> Any:
        publisher = validation.short(str(publisher_id), 255)
        try:
            uuid, new = self.admit(publisher, payload)
        except (exception.InvalidInput, Refused) as exc:
            reason = exc.message if isinstance(
                exc, exception.InvalidInput) else str(exc)
            self._alert(ALERT_REFUSED, "Refused %s from %s: %s"
                        % (event_type, publisher, reason), payload,
                        publisher)
            return oslo_messaging.NotificationResult.HANDLED
        except TRANSIENT_DB_ERRORS as exc:
            if not db_retry.is_permanent(exc):
                LOG.warning("Database error recording %s from %s, "
                            "requeued: %s", event_type, publisher,
                            db_retry.first_line(exc))
                return oslo_messaging.NotificationResult.REQUEUE
            self._alert(ALERT_UNSTORABLE, "%s from %s cannot be stored, "
                        "dropped: %s" % (event_type, publisher,
                                         db_retry.first_line(exc)),
                        payload, publisher)
            return oslo_messaging.NotificationResult.HANDLED
        if new:
            self.on_new(uuid)
        return oslo_messaging.NotificationResult.HANDLED

    def admit(self, publisher: str, payload: Any) -> tuple[str, bool]:
        """Check and persist a message; return (uuid, to_start)."""
        down = validation.validate(payload)
        original = self.db.notification_get_by_key(down.dedup_key)
        if original is not None and \
                original.status == constants.NOTIFICATION_NEW:
            return original.uuid, True
        try:
            self.db.host_get(down.host)
            known = True
        except exception.NotFound:
            known = False
        added = check(down, payload, self.checks, known, self.clock.now(),
                      lambda: confirm.nova_confirms(
                          self.cloud, down.host,
                          self.checks.heartbeat_threshold,
                          confirm.saved(self.db.host_list())))
        down = dataclasses.replace(
            down, evidence={**down.evidence, "intake": added})
        return record(self.db, down, publisher)

    def _alert(self, kind: str, message: str, payload: Any,
               publisher: str) -> None:
        """Log and record a message the engine did not act on."""
        LOG.warning("%s", message)
        host = payload.get("host") if isinstance(payload, Mapping) else None
        try:
            excerpt = json.dumps(payload, default=str, sort_keys=True)
        except (TypeError, ValueError):
            excerpt = repr(payload)
        try:
            self.db.alert_create(
                kind, self.source, message,
                host=host if isinstance(host, str) and host else None,
                evidence={"publisher": publisher,
                          "payload": validation.short(excerpt, 2048)})
        except (db_exc.DBError, exception.VmotiondError) as exc:
            LOG.error("Could not record the alert: %s",
                      db_retry.first_line(exc))

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
        self.listener = messaging.notification_listener(
            transport, topic, [endpoint], pool="vmotiond-engine.%s" % topic)

    def start(self) -> None:
        self.listener.start()

    def stop(self) -> None:
        self.listener.stop()
        self.listener.wait()
