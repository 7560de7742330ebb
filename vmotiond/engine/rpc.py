"""The engine's RPC interface, which ``vmotiond-manage`` calls for writes.

Server: ``RpcService`` serves ``EngineEndpoint`` on ``[engine] rpc_topic``
(server name ``[DEFAULT] host``, threading executor). Every method returns
``{"result": ...}`` or, when the request is refused, ``{"error": message,
"kind": exception class}``: refusals are answers, not crashes.

Client: ``EngineClient`` pings an engine first (``[engine]
rpc_ping_timeout``); without an answer it raises ``EngineUnavailable`` and
sends nothing, so a command never half-does a job. With the in-process
transport (``fake://``) no engine of another process can be reached, and
the client says so at once.
"""

from collections.abc import Callable
import functools
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging

from vmotiond import exception
from vmotiond import messaging
from vmotiond.engine import operator as operator_mod
from vmotiond.engine import tasks as tasks_mod

LOG = logging.getLogger(__name__)

# Connection retries of a client call (None would retry forever).
CLIENT_RETRY = 1


def _answer(method: Callable[..., Any]) -> Callable[..., dict[str, Any]]:
    """Turn a method's result or refusal into the reply envelope."""

    @functools.wraps(method)
    def wrapper(self: Any, ctxt: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            return {"result": method(self, **kwargs)}
        except exception.VmotiondError as exc:
            LOG.info("RPC %s refused: %s", method.__name__, exc)
            return {"error": str(exc), "kind": type(exc).__name__}
        except Exception as exc:
            LOG.exception("RPC %s failed", method.__name__)
            return {"error": "the engine failed: %s: %s"
                    % (type(exc).__name__, exc), "kind": "VmotiondError"}

    return wrapper


class EngineEndpoint:
    """What ``vmotiond-manage`` may ask the engine to do."""

    target = oslo_messaging.Target(version="1.0")

    def __init__(self, host: str, operator: operator_mod.OperatorApi,
                 tasks: tasks_mod.TaskControl) -> None:
        self.host = host
        self.operator = operator
        self.tasks = tasks

    @_answer
    def ping(self) -> dict[str, Any]:
        return {"host": self.host}

    @_answer
    def host_set(self, host: str, role: str | None = None,
                 auto_evacuate: bool | None = None,
                 maintenance: bool | None = None) -> dict[str, Any]:
        return self.operator.host_set(host, role, auto_evacuate, maintenance)

    @_answer
    def host_drain(self, host: str) -> dict[str, Any]:
        return self.operator.drain(host)

    @_answer
    def host_move_back(self, host: str) -> dict[str, Any]:
        return self.operator.move_back(host)

    @_answer
    def host_release(self, host: str) -> dict[str, Any]:
        return self.operator.release(host)

    @_answer
    def instance_migrate(self, instances: list[str],
                         destination: str | None,
                         mode: str) -> dict[str, Any]:
        return self.operator.migrate(instances, destination, mode)

    @_answer
    def instance_reset_state(self, instances: list[str],
                             state: str) -> dict[str, Any]:
        return self.operator.reset_state(instances, state)

    @_answer
    def task_redo(self, vmove: str) -> dict[str, Any]:
        return self.tasks.redo(vmove)

    @_answer
    def task_reset(self, vmove: str) -> dict[str, Any]:
        return self.tasks.reset(vmove)

    @_answer
    def task_delete(self, vmove: str) -> dict[str, Any]:
        return self.tasks.delete(vmove)

    @_answer
    def notification_abort(self, notification: str) -> dict[str, Any]:
        return self.tasks.abort(notification)


class RpcService:
    """The engine's RPC server."""

    def __init__(self, conf: cfg.ConfigOpts,
                 transport: oslo_messaging.Transport,
                 endpoint: EngineEndpoint) -> None:
        self.server = messaging.rpc_server(
            transport, conf.engine.rpc_topic, conf.host, [endpoint])

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        self.server.stop()
        self.server.wait()


class EngineClient:
    """Asks an engine; every write is preceded by a ping."""

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
                {}, "ping")
        except oslo_messaging.MessagingTimeout:
            raise exception.EngineUnavailable(
                topic=self.topic, timeout=self.ping_timeout,
                reason="no answer") from None
        except oslo_messaging.MessagingException as exc:
            raise exception.EngineUnavailable(
                topic=self.topic, timeout=self.ping_timeout,
                reason=str(exc).splitlines()[0] if str(exc) else
                type(exc).__name__) from None
        result: dict[str, Any] = _unwrap(reply)
        return result

    def call(self, method: str, **kwargs: Any) -> Any:
        """Ping, then ask ``method``; refusals raise their exception."""
        self.ping()
        try:
            reply = self.client.call({}, method, **kwargs)
        except oslo_messaging.MessagingTimeout:
            raise exception.VmotiondError(
                "the engine answered a ping but not the %s request within "
                "%.0f s; it may still carry it out: check 'vmotiond-manage "
                "task list'" % (method, self.timeout)) from None
        except oslo_messaging.MessagingException as exc:
            raise exception.VmotiondError(
                "the %s request could not be sent: %s" % (method, exc)
            ) from None
        return _unwrap(reply)


def _unwrap(reply: Any) -> Any:
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
