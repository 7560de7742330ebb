"""Asking the engine over RPC: what the engine's server and its clients
(``vmotiond-manage``, the API's operator actions) share.

The engine serves the methods in ``METHODS`` on ``[engine] rpc_topic``:
the operator's requests and the reads of Nova's instances its pages need.
Every reply is an envelope: ``{"result": ...}``, or, when the request is
refused, ``{"error": message, "kind": exception class}``; ``unwrap`` turns
a refusal back into its ``vmotiond.exception`` class.

``EngineClient`` pings an engine first (``[engine] rpc_ping_timeout``);
without an answer it raises ``EngineUnavailable`` and sends nothing, so a
request is never half done. With the in-process transport (``fake://``)
only a caller given the transport the engine serves on can reach it.
"""

import threading
from typing import Any

from oslo_config import cfg
import oslo_messaging

from vmotiond import exception
from vmotiond import messaging

# Connection retries of a client call (None would retry forever).
CLIENT_RETRY = 1

# The engine's RPC methods.
PING = "ping"
HOST_SET = "host_set"
HOST_DRAIN = "host_drain"
HOST_MOVE_BACK = "host_move_back"
HOST_RELEASE = "host_release"
HOST_SYNC = "host_sync"
HOST_CONFIRM_FENCED = "host_confirm_fenced"
INSTANCE_MIGRATE = "instance_migrate"
INSTANCE_RESET_STATE = "instance_reset_state"
TASK_REDO = "task_redo"
TASK_RESET = "task_reset"
TASK_DELETE = "task_delete"
NOTIFICATION_ABORT = "notification_abort"
NOTIFICATION_REDO = "notification_redo"
NOTIFICATION_RESET = "notification_reset"
# Reads of Nova's instances for the operator's pages.
HOST_INSTANCES = "host_instances"
INSTANCE_LIST = "instance_list"
INSTANCE_TARGETS = "instance_targets"
# The failover headroom (``vmotiond-manage capacity check``'s answer).
CAPACITY_CHECK = "capacity_check"
METHODS = (PING, HOST_SET, HOST_DRAIN, HOST_MOVE_BACK, HOST_RELEASE,
           HOST_SYNC, HOST_CONFIRM_FENCED, INSTANCE_MIGRATE,
           INSTANCE_RESET_STATE, TASK_REDO,
           TASK_RESET, TASK_DELETE, NOTIFICATION_ABORT, NOTIFICATION_REDO,
           NOTIFICATION_RESET, HOST_INSTANCES, INSTANCE_LIST,
           INSTANCE_TARGETS, CAPACITY_CHECK)

# Most instances one ``instance_list`` page holds (Nova's default
# max_limit) and one ``instance_targets`` request names.
MAX_INSTANCE_PAGE = 1000
MAX_TARGETS_SELECTION = 200

# ``instance_migrate``'s destination letting Nova's scheduler choose
# (None lets vmotiond's planner choose).
LET_NOVA_CHOOSE = "*"


def result(value: Any) -> dict[str, Any]:
    """The reply envelope of an answered request."""
    return {"result": value}


def refusal(message: str, kind: str) -> dict[str, Any]:
    """The reply envelope of a refused request; ``kind`` names the
    ``vmotiond.exception`` class the client raises."""
    return {"error": message, "kind": kind}


def unwrap(reply: Any) -> Any:
    """Return an envelope's result; raise its refusal's exception."""
    if not isinstance(reply, dict):
        raise exception.VmotiondError("unexpected engine reply: %r"
                                      % (reply,))
    if "error" in reply:
        kind = getattr(exception, str(reply.get("kind")), None)
        if not (isinstance(kind, type)
                and issubclass(kind, exception.VmotiondError)):
            kind = exception.VmotiondError
        raise kind(message=str(reply["error"]))
    return reply.get("result")


class EngineClient:
    """Asks an engine; every request is preceded by a ping."""

    def __init__(self, conf: cfg.ConfigOpts,
                 transport: oslo_messaging.Transport | None = None) -> None:
        self.topic = conf.engine.rpc_topic
        self.timeout = conf.engine.rpc_timeout
        self.ping_timeout = conf.engine.rpc_ping_timeout
        self._own = transport is None
        if transport is None:
            if messaging.is_in_process(conf):
                raise exception.EngineUnavailable(
                    message="no vmotiond engine can be reached: [DEFAULT] "
                            "transport_url is in-process (fake://); set the "
                            "message bus the engine listens on; nothing was "
                            "done", topic=self.topic)
            transport = messaging.rpc_transport(conf)
        self.transport = transport
        self.client = messaging.rpc_client(
            transport, self.topic, timeout=self.timeout, retry=CLIENT_RETRY)

    def close(self) -> None:
        if self._own:
            self.transport.cleanup()

    def ping(self) -> dict[str, Any]:
        """Return the answering engine's host; raise EngineUnavailable."""
        try:
            reply = self.client.prepare(timeout=self.ping_timeout).call(
                {}, PING)
        except oslo_messaging.MessagingTimeout:
            raise exception.EngineUnavailable(
                topic=self.topic, timeout=self.ping_timeout,
                reason="no answer") from None
        except oslo_messaging.MessagingException as exc:
            raise exception.EngineUnavailable(
                topic=self.topic, timeout=self.ping_timeout,
                reason=str(exc).splitlines()[0] if str(exc) else
                type(exc).__name__) from None
        found: dict[str, Any] = unwrap(reply)
        return found

    def call(self, method: str, **kwargs: Any) -> Any:
        """Ping, then ask ``method``; refusals raise their exception."""
        self.ping()
        try:
            reply = self.client.call({}, method, **kwargs)
        except oslo_messaging.MessagingTimeout:
            raise exception.EngineNoReply(
                "the engine answered a ping but not the %s request within "
                "%.0f s; it may still carry it out: check 'vmotiond-manage "
                "task list'" % (method, self.timeout)) from None
        except oslo_messaging.MessagingException as exc:
            raise exception.EngineNoReply(
                "the %s request could not be sent: %s" % (method, exc)
            ) from None
        return unwrap(reply)


class EngineLink:
    """One client for a long-running process, made on its first request.

    Made late so that a forked API worker builds its own connection; given
    ``transport``, it asks on that one (the all-in-one's ``fake://``).
    """

    def __init__(self, conf: cfg.ConfigOpts,
                 transport: oslo_messaging.Transport | None = None) -> None:
        self._conf = conf
        self._transport = transport
        self._client: EngineClient | None = None
        self._lock = threading.Lock()

    def ask(self, method: str, **kwargs: Any) -> Any:
        """Ask the engine ``method``; refusals raise their exception."""
        with self._lock:
            if self._client is None:
                self._client = EngineClient(self._conf, self._transport)
            client = self._client
        return client.call(method, **kwargs)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
