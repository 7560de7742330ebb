"""State changes as versioned oslo.messaging notifications.

Every status a notification or a vmove takes, and every monitor state a
host enters, goes out as one notification of event type
``vmotiond.notification.update``, ``vmotiond.vmove.update`` or
``vmotiond.host.update`` at info priority, publisher
``vmotiond.<[DEFAULT] host>``. The payload is versioned (``version``,
1.0 today: a new member is a minor bump, a change of meaning a major
one); its members are described in doc/operator-guide.md.

Driver, topics and transport are oslo.messaging's
``[oslo_messaging_notifications]`` options; its default driver, none,
sends nothing. A change is sent after it was written, in the
background; a bus that does not answer loses the message (``RETRY``
bounds the attempts), never the change.
"""

from collections.abc import Mapping
from concurrent import futures
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging

from vmotiond import messaging

LOG = logging.getLogger(__name__)

VERSION = "1.0"
HOST = "host"
NOTIFICATION = "notification"
VMOVE = "vmove"
KINDS = (HOST, NOTIFICATION, VMOVE)
# Attempts to reach the bus per message; None would retry forever.
RETRY = 3


def event_type(kind: str) -> str:
    return "vmotiond.%s.update" % kind


def payload(kind: str, ident: str, status: str,
            values: Mapping[str, Any]) -> dict[str, Any]:
    """The versioned payload of a change (pure): the row's ``id`` (a
    uuid; a host's name), its new ``status``, and the other members of
    ``values`` that are plain JSON."""
    body: dict[str, Any] = {
        key: value for key, value in values.items()
        if key != "status" and isinstance(value, (str, int, float, bool))}
    body.update(version=VERSION, kind=kind, id=ident, status=status)
    return body


class Publisher:
    """Sends the changes, in order, from a thread of its own (a bus that
    does not answer never holds up the writer); with no driver but
    ``noop`` configured, does nothing."""

    def __init__(self, conf: cfg.ConfigOpts,
                 transport: Any = None) -> None:
        self.enabled = any(driver != "noop" for driver in
                           conf.oslo_messaging_notifications.driver)
        if not self.enabled:
            return
        if transport is None:
            transport = messaging.notification_transport(conf)
        self._notifier = messaging.configured_notifier(
            transport, "vmotiond.%s" % conf.host, retry=RETRY)
        self._sender = futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="vmotiond-events")

    def changed(self, kind: str, ident: str, status: str,
                values: Mapping[str, Any] | None = None) -> None:
        """A row of ``kind`` (``KINDS``) took ``status``; send it."""
        if self.enabled:
            self._sender.submit(self._send, kind,
                                payload(kind, ident, status, values or {}))

    def _send(self, kind: str, body: dict[str, Any]) -> None:
        try:
            self._notifier.info({}, event_type(kind), body)
        except Exception as exc:
            LOG.warning("The %s change of %s to %s was not sent: %s", kind,
                        body["id"], body["status"], exc)
