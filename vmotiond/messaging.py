"""oslo.messaging plumbing: transports, notifier, listeners, RPC.

Everything runs on oslo.messaging's threading executor. The embedded
default transport is ``fake://`` (in-process); it only carries messages
within one process, so the all-in-one daemon shares one transport between
its parts and the split processes refuse it.
"""

from collections.abc import Sequence
from typing import Any

from oslo_config import cfg
import oslo_messaging

from vmotiond import exception

ENGINE_RPC_TOPIC = "vmotiond-engine"


def is_in_process(conf: cfg.ConfigOpts) -> bool:
    """Whether the transport only reaches this process."""
    return str(conf.transport_url).startswith("fake:")


def require_shared_transport(conf: cfg.ConfigOpts, process: str) -> None:
    """Refuse the in-process transport in a process that is not alone."""
    if is_in_process(conf):
        raise exception.ConfigError(
            reason="%s needs a message bus shared with the other vmotiond "
                   "processes: set [DEFAULT] transport_url (e.g. "
                   "rabbit://user:password@host:5672/), or run the "
                   "all-in-one 'vmotiond'" % process)


def notification_transport(conf: cfg.ConfigOpts
                           ) -> oslo_messaging.Transport:
    return oslo_messaging.get_notification_transport(conf)


def rpc_transport(conf: cfg.ConfigOpts) -> oslo_messaging.Transport:
    return oslo_messaging.get_rpc_transport(conf)


def notifier(transport: oslo_messaging.Transport, topic: str,
             publisher_id: str) -> oslo_messaging.Notifier:
    """A notifier that sends versioned notifications on ``topic``."""
    return oslo_messaging.Notifier(transport, publisher_id=publisher_id,
                                   driver="messaging", topics=[topic])


def notification_listener(transport: oslo_messaging.Transport, topic: str,
                          endpoints: Sequence[Any],
                          pool: str | None = None
                          ) -> oslo_messaging.MessageHandlingServer:
    """A listener on ``topic`` whose endpoints may requeue a message."""
    return oslo_messaging.get_notification_listener(
        transport, [oslo_messaging.Target(topic=topic)], list(endpoints),
        executor="threading", allow_requeue=True, pool=pool)


def rpc_server(transport: oslo_messaging.Transport, server: str,
               endpoints: Sequence[Any]
               ) -> oslo_messaging.MessageHandlingServer:
    """The engine's RPC server, on the engine topic."""
    target = oslo_messaging.Target(topic=ENGINE_RPC_TOPIC, server=server)
    return oslo_messaging.get_rpc_server(transport, target, list(endpoints),
                                         executor="threading")


def rpc_client(transport: oslo_messaging.Transport,
               timeout: float | None = None) -> oslo_messaging.RPCClient:
    """A client of the engine's RPC server."""
    return oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=ENGINE_RPC_TOPIC),
        timeout=timeout)
