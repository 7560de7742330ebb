"""What the monitor does with each of its decisions: persist, then tell.

A host found down is recorded as a failure (with its sealed payload) before
its notification is sent, so a message lost on the way is found by the
engine's look for new notifications; a host not to be moved, held by an HA
pause or otherwise worth an operator's look is recorded as an alert too.
"""

from typing import Any

from oslo_log import log as logging

from vmotiond import constants
from vmotiond import metrics
from vmotiond.monitor import emitter as emitter_mod
from vmotiond.monitor import records
from vmotiond.monitor import store as store_mod
from vmotiond.verdict import payload as payload_mod

LOG = logging.getLogger(__name__)


class Announcer:
    """Records and emits the monitor's events.

    :param store: the ``MonitorStore`` the failures and alerts go to.
    :param emitter: the ``Emitter`` of the notifications.
    :param monitor: the name of this monitor (``conf.host``), in payloads.
    """

    def __init__(self, store: store_mod.MonitorStore,
                 emitter: emitter_mod.Emitter, monitor: str) -> None:
        self.store = store
        self.emitter = emitter
        self.monitor = monitor

    def handle(self, event: records.Event,
               views: dict[str, store_mod.HostView], now: Any) -> None:
        metrics.VERDICTS.labels(event.kind).inc()
        view = views.get(event.host) if event.host else None
        auto = view.auto_evacuate if view is not None else None
        if event.kind == records.HOST_DOWN and event.host is not None:
            if view is None:
                LOG.warning("Host %s is down but not in the hosts table; "
                            "treating it as auto-evacuate", event.host)
                auto = True
            key = payload_mod.dedup_key(event.host, event.generation or 0)
            if auto:
                LOG.warning("Host %s is down (generation %s): %s",
                            event.host, event.generation,
                            dict(event.evidence))
                body = self.emitter.seal(self._payload(event, now, auto))
                # Persist, then tell: a message lost on the way is found
                # by the engine's look for new notifications.
                self.store.record_failure(event.host, key, body, now,
                                          constants.NOTIFICATION_NEW)
                self.emitter.emit(payload_mod.EVENT_HOST_DOWN, body)
                return
            LOG.warning("Host %s is down but auto_evacuate is off; "
                        "nothing moves", event.host)
            body = self._payload(event, now, auto,
                                 records.REASON_NO_AUTO_EVACUATE)
            self.store.record_failure(
                event.host, key, body, now, constants.NOTIFICATION_IGNORED,
                "auto_evacuate is off for this host; nothing moves")
            self._alert(event, records.REASON_NO_AUTO_EVACUATE)
            self.emitter.emit(payload_mod.EVENT_HOST_ALERT, body)
        elif event.kind == records.HOST_HELD and event.host is not None:
            LOG.warning("Host %s is down but HA is paused over %s: held, "
                        "recovered on resume if still down", event.host,
                        event.reason)
            body = self._payload(event, now, auto, records.REASON_HA_PAUSED)
            self.store.record_failure(
                event.host, payload_mod.dedup_key(
                    event.host, event.generation or 0) + ":held", body, now,
                constants.NOTIFICATION_IGNORED,
                "held: HA is paused over %s; the host is recovered on "
                "resume if it is still down" % event.reason)
            self._alert(event, records.REASON_HA_PAUSED)
            self.emitter.emit(payload_mod.EVENT_HOST_ALERT, body)
        elif event.kind == records.HOST_RECOVERED:
            LOG.info("Host %s recovered", event.host)
            self.emitter.emit(payload_mod.EVENT_HOST_RECOVERED,
                              self._payload(event, now, auto))
        elif event.kind == records.PROCESS_FAILURE:
            LOG.warning("nova-compute on %s is dead but the host answers "
                        "the probe: not evacuating", event.host)
            self._alert(event, records.PROCESS_FAILURE)
            self.emitter.emit(payload_mod.EVENT_HOST_ALERT, self._payload(
                event, now, auto, records.PROCESS_FAILURE))
        else:
            reason = event.reason if event.kind == records.ALERT else \
                event.kind
            LOG.warning("Monitor %s: %s %s", event.kind,
                        self._alert(event, reason or event.kind),
                        dict(event.evidence))
            self.emitter.emit(payload_mod.EVENT_HOST_ALERT,
                              self._payload(event, now, auto, reason))

    def _alert(self, event: records.Event, reason: str) -> str:
        """Record an alert with its hosts and evidence; return its text."""
        failing = event.evidence.get("failing") or ()
        hosts = [event.host] if event.host else sorted(map(str, failing))
        message = reason.replace("_", " ")
        if hosts:
            shown = ", ".join(hosts[:20])
            if len(hosts) > 20:
                shown += " and %d more" % (len(hosts) - 20)
            message += " on " + shown
        try:
            self.store.record_alert(reason, message, event.host, hosts,
                                    dict(event.evidence))
        except Exception as exc:
            LOG.error("Could not record the alert %r: %s", message, exc)
        return message

    def _payload(self, event: records.Event, now: Any, auto: bool | None,
                 reason: str | None = None) -> dict[str, Any]:
        return payload_mod.build(
            host=event.host, generation=event.generation, detected_at=now,
            evidence=event.evidence, monitor=self.monitor,
            auto_evacuate=auto, reason=reason)
