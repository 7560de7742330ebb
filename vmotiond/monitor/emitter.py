"""Sending the monitor's notifications through oslo.messaging."""

from collections.abc import Mapping
from concurrent import futures
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging

from vmotiond import constants
from vmotiond import messaging
from vmotiond.verdict import payload as payload_mod
from vmotiond.verdict import signing

LOG = logging.getLogger(__name__)

PUBLISHER = constants.MONITOR


def make_notifier(conf: cfg.ConfigOpts,
                  transport: oslo_messaging.Transport | None = None,
                  ) -> oslo_messaging.Notifier:
    """A versioned (messagingv2) Notifier on ``[monitor] notification_topic``.

    The transport is oslo.messaging's notification transport of ``conf``
    unless one is given.
    """
    if transport is None:
        transport = messaging.notification_transport(conf)
    return messaging.notifier(
        transport, conf.monitor.notification_topic,
        "%s.%s" % (PUBLISHER, conf.host), retry=3)


class Emitter:
    """Thin wrapper so the manager speaks event types, not priorities, and
    every payload is signed with ``key`` (``[monitor] verdict_key``)."""

    def __init__(self, notifier: Any, key: str | None = None,
                 sender: futures.Executor | None = None) -> None:
        """``sender``: a one-thread executor that sends in the background,
        in order, so a bus that does not answer (oslo.messaging retries
        for seconds) never holds up the caller; None sends inline."""
        self._notifier = notifier
        self._key = key or None
        self._sender = sender

    def seal(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """``payload`` as it is sent: signed when there is a key."""
        if self._key is None:
            return dict(payload)
        return signing.sign(payload, self._key)

    def emit(self, event_type: str, payload: Mapping[str, Any]) -> None:
        """Send ``payload``; alerts go out at warn priority, the rest info."""
        body = self.seal(payload)
        if self._sender is None:
            self._send(event_type, body)
        else:
            self._sender.submit(self._send, event_type, body)

    def _send(self, event_type: str, body: dict[str, Any]) -> None:
        if event_type == payload_mod.EVENT_HOST_ALERT:
            self._notifier.warn({}, event_type, body)
        else:
            self._notifier.info({}, event_type, body)
        LOG.debug("Emitted %s", event_type)
