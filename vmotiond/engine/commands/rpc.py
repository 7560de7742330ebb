"""The engine's RPC server, which ``vmotiond-manage`` and the API's
operator actions and instance reads ask (their client:
``vmotiond.engine_client``).

``RpcService`` serves ``EngineEndpoint`` on ``[engine] rpc_topic`` (server
name ``[DEFAULT] host``, threading executor). Every method returns the
envelope of ``vmotiond.engine_client``: refusals are answers, not crashes.
"""

from collections.abc import Callable
import functools
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging

from vmotiond import engine_client
from vmotiond import exception
from vmotiond import messaging
from vmotiond.engine.commands import reads as reads_mod
from vmotiond.engine.commands import requests as operator_mod
from vmotiond.engine.commands import task_control as tasks_mod

LOG = logging.getLogger(__name__)

def _answer(method: Callable[..., Any]) -> Callable[..., dict[str, Any]]:
    """Turn a method's result or refusal into the reply envelope."""

    @functools.wraps(method)
    def wrapper(self: Any, ctxt: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            return engine_client.result(method(self, **kwargs))
        except exception.VmotiondError as exc:
            LOG.info("RPC %s refused: %s", method.__name__, exc)
            return engine_client.refusal(str(exc), type(exc).__name__)
        except Exception as exc:
            LOG.exception("RPC %s failed", method.__name__)
            return engine_client.refusal(
                "the engine failed: %s: %s" % (type(exc).__name__, exc),
                "VmotiondError")

    return wrapper


class EngineEndpoint:
    """What an operator may ask the engine to do or read: one method per
    name in ``engine_client.METHODS``."""

    target = oslo_messaging.Target(version="1.0")

    def __init__(self, host: str, operator: operator_mod.OperatorApi,
                 tasks: tasks_mod.TaskControl,
                 reads: reads_mod.InstanceReads) -> None:
        self.host = host
        self.operator = operator
        self.tasks = tasks
        self.reads = reads

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
    def host_confirm_fenced(self, host: str) -> dict[str, Any]:
        return self.operator.confirm_fenced(host)

    @_answer
    def host_sync(self) -> dict[str, int]:
        return self.operator.host_sync()

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
    def host_instances(self, host: str) -> dict[str, Any]:
        return self.reads.host_instances(host)

    @_answer
    def instance_list(self, limit: int,
                      marker: str | None = None) -> dict[str, Any]:
        return self.reads.instances(limit, marker)

    @_answer
    def instance_targets(self, instances: list[str]) -> dict[str, Any]:
        return self.reads.targets(instances)

    @_answer
    def capacity_check(self) -> dict[str, Any]:
        return self.reads.capacity()

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

    @_answer
    def notification_redo(self, notification: str,
                          vmoves: list[str] | None = None) -> dict[str, Any]:
        return self.tasks.redo_all(notification, vmoves)

    @_answer
    def notification_reset(self, notification: str,
                           vmoves: list[str] | None = None
                           ) -> dict[str, Any]:
        return self.tasks.reset_all(notification, vmoves)


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
