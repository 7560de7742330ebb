"""oslo.messaging plumbing: the one place that builds transports,
notifiers, notification listeners and RPC servers and clients.

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
             publisher_id: str, retry: int | None = None
             ) -> oslo_messaging.Notifier:
    """A notifier of versioned (messagingv2) notifications on ``topic``;
    ``retry`` connection attempts per send (None: forever)."""
    return oslo_messaging.Notifier(transport, publisher_id=publisher_id,
                                   driver="messagingv2", topics=[topic],
                                   retry=retry)


def configured_notifier(transport: oslo_messaging.Transport,
                        publisher_id: str, retry: int | None = None
                        ) -> oslo_messaging.Notifier:
    """A notifier whose driver and topics are the operator's
    (``[oslo_messaging_notifications]``), for notifications meant for
    other consumers than vmotiond."""
    return oslo_messaging.Notifier(transport, publisher_id=publisher_id,
                                   retry=retry)


def notification_listener(transport: oslo_messaging.Transport, topic: str,
                          endpoints: Sequence[Any], pool: str | None = None
                          ) -> oslo_messaging.MessageHandlingServer:
    """A listener on ``topic`` whose endpoints may requeue a message.

    Listeners with the same ``pool`` share one queue (a message goes to
    one of them); None: the topic's default queue.
    Call ``start()``, and ``stop()`` then ``wait()`` to end it.
    """
    return oslo_messaging.get_notification_listener(
        transport, [oslo_messaging.Target(topic=topic)], list(endpoints),
        executor="threading", allow_requeue=True, pool=pool)


def rpc_server(transport: oslo_messaging.Transport, topic: str,
               server: str, endpoints: Sequence[Any]
               ) -> oslo_messaging.MessageHandlingServer:
    """An RPC server named ``server`` on ``topic``."""
    _register_tracing_opts(transport.conf)
    target = oslo_messaging.Target(topic=topic, server=server)
    return oslo_messaging.get_rpc_server(transport, target, list(endpoints),
                                         executor="threading")


def rpc_client(transport: oslo_messaging.Transport, topic: str,
               timeout: float | None = None, retry: int | None = None
               ) -> oslo_messaging.RPCClient:
    """A client of the RPC servers on ``topic``; ``retry`` connection
    attempts per call (None: forever)."""
    _register_tracing_opts(transport.conf)
    return oslo_messaging.get_rpc_client(
        transport, oslo_messaging.Target(topic=topic), timeout=timeout,
        retry=retry)


def _register_tracing_opts(conf: cfg.ConfigOpts) -> None:
    """oslo.messaging 18 reads ``[oslo_messaging_tracing]`` and
    ``[oslo_messaging_metrics]`` from the transport's config on every call
    but registers them on ``cfg.CONF`` only; register them on ours."""
    for group in ("oslo_messaging_tracing", "oslo_messaging_metrics"):
        if group in conf or group not in cfg.CONF:
            continue
        opts = [info["opt"] for info in cfg.CONF[group]._group._opts.values()]
        conf.register_opts(opts, group=group)
