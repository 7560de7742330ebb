"""Claims of other monitors, heard over oslo.messaging.

Accepted shapes, on topic ``[monitor] listener_topic``:

- ``vmotiond.host.down`` with vmotiond's versioned payload
  (``vmotiond.verdict.payload``), from another vmotiond monitor;
- masakari-monitors' host monitor notification, bare or wrapped in
  ``{"notification": ...}``: ``{"type": "COMPUTE_HOST", "hostname": h,
  "generated_time": t, "payload": {"event": "STOPPED", "host_status": ...,
  "cluster_status": "OFFLINE"}}`` (any event type name).

A claim is evidence, not a verdict: unless its publisher is trusted
(``trusted_publishers``) the host is checked against Nova
(``confirm.nova_confirms``: stale heartbeat or forced down; a write to the
service record, vmotiond's fence or an operator's disable, is no
heartbeat) and the probe (must not answer; not asked when the host's
address is not its own) before the claim is handed to ``intake``; the
monitor's is ``forwarder``, which sends it to the engine as this monitor's
host-down message. Unknown hosts, malformed payloads, stale claims, claims
the engine would refuse as host-down messages (``validation.validate``:
oversized, a generation or key out of bounds) and claims Nova contradicts
are rejected with a log line saying why.
"""

from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Mapping
import dataclasses
import datetime
import hashlib
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging

from vmotiond import addresses as addresses_mod
from vmotiond import clock as clock_mod
from vmotiond import exception
from vmotiond import messaging
from vmotiond.cloud import base as cloud_base
from vmotiond.monitor import emitter as emitter_mod
from vmotiond.monitor import probe as probe_mod
from vmotiond.monitor import records
from vmotiond.verdict import confirm
from vmotiond.verdict import payload as payload_mod
from vmotiond.verdict import validation

LOG = logging.getLogger(__name__)

SOURCE_VMOTIOND = "vmotiond"
SOURCE_MASAKARI = "masakari"


@dataclasses.dataclass(frozen=True)
class Claim:
    """An accepted claim that a host failed."""

    host: str
    publisher: str
    source: str                         # SOURCE_VMOTIOND or SOURCE_MASAKARI
    generation: int | None
    detected_at: datetime.datetime      # naive UTC
    dedup_key: str
    trusted: bool                       # acted on without a Nova check
    evidence: Mapping[str, Any]         # the claim's plus our checks


class Rejected(Exception):
    """A claim that is not acted on; the message says why."""


class ClaimEndpoint:
    """The listener endpoint: parse, check, hand over.

    :param intake: called with every accepted ``Claim``; it may raise
        ``DuplicateNotification`` (taken as done); any other error requeues
        the message.
    :param known_hosts: returns the names of the hosts vmotiond manages.
    :param saved: returns what the monitor saw of each host's service
        record (``confirm.saved``), for the Nova check.
    """

    def __init__(self, conf: cfg.ConfigOpts, cloud: cloud_base.Cloud,
                 intake: Callable[[Claim], None],
                 known_hosts: Callable[[], Collection[str]],
                 clock: clock_mod.Clock | None = None,
                 probe: probe_mod.Probe | None = None,
                 addresses: Callable[[], Mapping[str, str | None]]
                 | None = None,
                 saved: Callable[[], Mapping[str, confirm.Seen]]
                 | None = None) -> None:
        self.conf = conf
        self.cloud = cloud
        self.intake = intake
        self.known_hosts = known_hosts
        self.clock = clock or clock_mod.Clock()
        self.probe = probe if probe is not None else probe_mod.from_conf(conf)
        self.addresses = addresses or dict
        self.saved = saved or dict
        self.own_publisher = "%s.%s" % (emitter_mod.PUBLISHER, conf.host)

    # oslo.messaging calls the method named after the priority.
    def info(self, ctxt: Any, publisher_id: str, event_type: str,
             payload: Any, metadata: Any) -> Any:
        return self.handle(publisher_id, event_type, payload, metadata)

    warn = info
    error = info
    critical = info

    def handle(self, publisher_id: str, event_type: str, payload: Any,
               metadata: Any = None) -> Any:
        """Process one notification; return None (ack) or REQUEUE."""
        try:
            claim = self.check(publisher_id, event_type, payload)
        except Rejected as exc:
            LOG.warning("Rejected claim from %s (%s): %s", publisher_id,
                        event_type, exc)
            return None
        try:
            self.intake(claim)
        except exception.DuplicateNotification:
            LOG.info("Claim %s from %s is known already", claim.dedup_key,
                     publisher_id)
            return None
        except Exception:
            LOG.exception("Intake of claim %s failed; requeued",
                          claim.dedup_key)
            return oslo_messaging.NotificationResult.REQUEUE
        LOG.warning("Accepted claim from %s that host %s is down (%s)",
                    publisher_id, claim.host,
                    "trusted" if claim.trusted else "checked with Nova")
        return None

    def check(self, publisher_id: str, event_type: str,
              payload: Any) -> Claim:
        """Return the claim, or raise ``Rejected`` saying why."""
        if publisher_id == self.own_publisher:
            raise Rejected("published by this monitor itself")
        claim = _parse(publisher_id, event_type, payload)
        try:
            # What the engine would refuse is rejected here, where it was
            # heard, not accepted and then dropped by the engine.
            validation.validate(host_down(claim, self.conf.host))
        except exception.InvalidInput as exc:
            raise Rejected(exc.message) from None
        now = self.clock.now()
        age = (now - claim.detected_at).total_seconds()
        if age > self.conf.monitor.claim_max_age:
            raise Rejected("stale: generated %.0f s ago (claim_max_age %.0f)"
                           % (age, self.conf.monitor.claim_max_age))
        if age < -validation.FUTURE_SLACK:
            raise Rejected("generated %.0f s in the future" % -age)
        if claim.host not in set(self.known_hosts()):
            raise Rejected("unknown host %s" % claim.host)
        if self._trusted(publisher_id):
            return dataclasses.replace(claim, trusted=True)
        return self._verify(claim)

    def _trusted(self, publisher_id: str) -> bool:
        for pattern in self.conf.monitor.trusted_publishers:
            if pattern.endswith("*"):
                if publisher_id.startswith(pattern[:-1]):
                    return True
            elif publisher_id == pattern:
                return True
        return False

    def _verify(self, claim: Claim) -> Claim:
        try:
            nova = confirm.nova_confirms(
                self.cloud, claim.host,
                self.conf.monitor.heartbeat_threshold, self.saved())
        except confirm.NotConfirmed as exc:
            raise Rejected(str(exc)) from None
        answer = "none"
        if self.conf.monitor.probe_driver != "none":
            addresses = self.addresses()
            address = addresses.get(claim.host)
            if address in addresses_mod.untrusted_addresses(addresses):
                answer = records.PROBE_UNTRUSTED
            else:
                answer = self.probe.check(claim.host, address)
            if answer == records.PROBE_ALIVE:
                raise Rejected("%s answers the probe" % claim.host)
        evidence = dict(claim.evidence)
        evidence.update(nova)
        evidence["probe"] = answer
        return dataclasses.replace(claim, evidence=evidence)


def host_down(claim: Claim, monitor: str) -> dict[str, Any]:
    """The host-down payload that hands ``claim`` to the engine, sent by
    the monitor named ``monitor`` (``[DEFAULT] host``)."""
    body = payload_mod.build(
        host=claim.host, generation=claim.generation,
        detected_at=claim.detected_at, evidence=claim.evidence,
        monitor="%s (claim of %s)" % (monitor, claim.publisher),
        auto_evacuate=None, reason="claim:%s" % claim.source)
    body["dedup_key"] = claim.dedup_key
    return body


def forwarder(emitter: emitter_mod.Emitter, monitor: str
              ) -> Callable[[Claim], None]:
    """The monitor's ``intake``: send each accepted claim as a host-down
    message through ``emitter`` (sealed with its key)."""

    def forward(claim: Claim) -> None:
        emitter.emit(payload_mod.EVENT_HOST_DOWN, host_down(claim, monitor))

    return forward


def make_listener(conf: cfg.ConfigOpts, endpoint: ClaimEndpoint,
                  transport: oslo_messaging.Transport | None = None,
                  ) -> oslo_messaging.MessageHandlingServer:
    """A threading notification listener on ``listener_topic``.

    Call ``start()``, and ``stop()`` then ``wait()`` to end it.
    """
    if transport is None:
        transport = messaging.notification_transport(conf)
    return messaging.notification_listener(
        transport, conf.monitor.listener_topic, [endpoint],
        pool=conf.monitor.listener_pool or None)


def _parse(publisher_id: str, event_type: str, payload: Any) -> Claim:
    if payload_mod.is_versioned(payload):
        if event_type != payload_mod.EVENT_HOST_DOWN:
            raise Rejected("event type %s is not a failure claim"
                           % event_type)
        try:
            data = payload_mod.parse(payload)
        except ValueError as exc:
            raise Rejected("malformed payload: %s" % exc) from None
        generation = data["generation"]
        key = data.get("dedup_key") or (
            payload_mod.dedup_key(data["host"], generation)
            if generation is not None else
            _external_key(data["host"], publisher_id, data["detected_at"]))
        return Claim(host=data["host"], publisher=publisher_id,
                     source=SOURCE_VMOTIOND, generation=generation,
                     detected_at=data["detected_at"], dedup_key=key,
                     trusted=False, evidence=dict(data["evidence"]))
    return _parse_masakari(publisher_id, payload)


def _parse_masakari(publisher_id: str, payload: Any) -> Claim:
    if isinstance(payload, Mapping) and isinstance(
            payload.get("notification"), Mapping):
        payload = payload["notification"]
    if not isinstance(payload, Mapping):
        raise Rejected("malformed payload: not an object")
    inner = payload.get("payload")
    if not isinstance(inner, Mapping):
        raise Rejected("malformed payload: no event/host_status/"
                       "cluster_status object")
    missing = [k for k in ("event", "host_status", "cluster_status")
               if not isinstance(inner.get(k), str)]
    if missing:
        raise Rejected("malformed payload: lacks %s" % ", ".join(missing))
    kind = payload.get("type", "COMPUTE_HOST")
    if kind != "COMPUTE_HOST":
        raise Rejected("notification type %s is not a host failure" % kind)
    host = payload.get("hostname") or payload.get("host")
    if not isinstance(host, str) or not host:
        raise Rejected("malformed payload: no hostname")
    if inner["event"].upper() != "STOPPED":
        raise Rejected("event %s is not a failure" % inner["event"])
    if inner["cluster_status"].upper() != "OFFLINE":
        raise Rejected("cluster_status %s does not say the host is offline"
                       % inner["cluster_status"])
    try:
        detected_at = payload_mod.parse_time(payload.get("generated_time"))
    except ValueError as exc:
        raise Rejected("malformed payload: generated_time: %s" % exc) \
            from None
    return Claim(host=host, publisher=publisher_id, source=SOURCE_MASAKARI,
                 generation=None, detected_at=detected_at,
                 dedup_key=_external_key(host, publisher_id, detected_at),
                 trusted=False,
                 evidence={"event": inner["event"],
                           "host_status": inner["host_status"],
                           "cluster_status": inner["cluster_status"]})


def _external_key(host: str, publisher: str,
                  detected_at: datetime.datetime) -> str:
    key = "COMPUTE_HOST:%s:ext:%s:%s" % (
        host, publisher, payload_mod.format_time(detected_at))
    if len(key) <= 200:
        return key
    # Keys fit the engine's bound whatever the names' lengths.
    return "COMPUTE_HOST:ext:%s" % hashlib.sha256(key.encode()).hexdigest()
