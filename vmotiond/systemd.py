"""Readiness and status for systemd ``Type=notify`` units.

Writes to ``$NOTIFY_SOCKET`` directly (the protocol is one datagram), so no
extra dependency is needed; does nothing when not started by systemd.
"""

import os
import socket

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


def notify(state: str) -> bool:
    """Send ``state`` (e.g. ``READY=1``) to systemd; say whether it went."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError as exc:
        LOG.warning("Cannot notify systemd at %s: %s", address, exc)
        return False
    return True


def ready(status: str = "") -> bool:
    """Tell systemd the service is up."""
    return notify("READY=1\nSTATUS=%s" % status if status else "READY=1")


def stopping() -> bool:
    """Tell systemd the service is shutting down."""
    return notify("STOPPING=1")
