"""The operator's workflows, their requests, reads and RPC server.

``Operations(services, ...)`` builds the workflows of ``HOST_DRAIN``,
``CUSTOM_MIGRATION``, ``RESET_STATE``, ``MOVE_BACK`` and ``HOST_RELEASE``
(``handlers``, for the engine to run), the operator's API and task
controls, and, given an RPC transport, the RPC server; with ``[engine]
auto_move_back`` on and a notification transport, it also listens for the
monitor's ``vmotiond.host.recovered`` and starts a move-back for the
recovered host.
"""

from collections.abc import Callable
from concurrent import futures
from typing import Any

from oslo_log import log as logging
import oslo_messaging

from vmotiond import constants
from vmotiond import exception
from vmotiond import messaging
from vmotiond.engine.commands import reads as reads_mod
from vmotiond.engine.commands import requests as operator_mod
from vmotiond.engine.commands import rpc
from vmotiond.engine.commands import task_control as tasks_mod
from vmotiond.engine.workflows import custom_migration
from vmotiond.engine.workflows import drain
from vmotiond.engine.workflows import move_back
from vmotiond.engine.workflows import release
from vmotiond.engine.workflows import reset_state
from vmotiond.engine.workflows import workflow
from vmotiond.verdict import payload as payload_mod
from vmotiond.verdict import signing

LOG = logging.getLogger(__name__)


class Operations:
    """Drain, custom migration, reset, move-back, tasks and their RPC."""

    def __init__(self, services: workflow.Services,
                 submit: Callable[[str], "futures.Future[Any]"],
                 is_running: Callable[[str], bool],
                 handled: Callable[[str], bool],
                 rpc_transport: oslo_messaging.Transport | None = None,
                 transport: oslo_messaging.Transport | None = None) -> None:
        conf = services.conf
        self.services = services
        self.drain = drain.HostDrain(services)
        self.custom = custom_migration.CustomMigration(services)
        self.reset = reset_state.ResetState(services)
        self.move_back = move_back.MoveBack(services)
        self.release = release.HostRelease(services)
        self.handlers = {
            constants.HOST_DRAIN: self.drain.run,
            constants.CUSTOM_MIGRATION: self.custom.run,
            constants.RESET_STATE: self.reset.run,
            constants.MOVE_BACK: self.move_back.run,
            constants.HOST_RELEASE: self.release.run}
        self.operator = operator_mod.OperatorApi(services, submit)
        self.tasks = tasks_mod.TaskControl(services, submit, is_running,
                                           handled)
        self.rpc: rpc.RpcService | None = None
        if rpc_transport is not None:
            self.rpc = rpc.RpcService(conf, rpc_transport, rpc.EngineEndpoint(
                conf.host, self.operator, self.tasks,
                reads_mod.InstanceReads(services)))
        self.listener: oslo_messaging.MessageHandlingServer | None = None
        if transport is not None and conf.engine.auto_move_back:
            topic = conf.monitor.notification_topic
            self.listener = messaging.notification_listener(
                transport, topic,
                [RecoveredEndpoint(self.operator,
                                   key=conf.monitor.verdict_key)],
                pool="vmotiond-engine-recovered.%s" % topic)

    def start(self) -> None:
        if self.rpc is not None:
            self.rpc.start()
        if self.listener is not None:
            self.listener.start()

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.stop()
            self.listener.wait()
        if self.rpc is not None:
            self.rpc.stop()


class RecoveredEndpoint:
    """Starts a move-back when the monitor reports a host recovered."""

    filter_rule = oslo_messaging.NotificationFilter(
        event_type=r"^vmotiond\.host\.recovered$")

    def __init__(self, operator: operator_mod.OperatorApi,
                 key: str | None = None) -> None:
        self.operator = operator
        self.key = key or None

    def info(self, ctxt: Any, publisher_id: str, event_type: str,
             payload: Any, metadata: Any) -> Any:
        host = payload.get("host") if isinstance(payload, dict) else None
        if event_type != payload_mod.EVENT_HOST_RECOVERED or not host:
            return oslo_messaging.NotificationResult.HANDLED
        problem = signing.check(payload, self.key) if self.key else None
        if problem is not None:
            LOG.warning("Ignored %s from %s: %s with [monitor] verdict_key",
                        event_type, str(publisher_id)[:255], problem)
            return oslo_messaging.NotificationResult.HANDLED
        try:
            note = self.operator.move_back(str(host), trigger="auto")
            LOG.info("Host %s recovered: move-back %s started", host,
                     note["uuid"])
        except exception.VmotiondError as exc:
            LOG.warning("Host %s recovered, no move-back: %s", host, exc)
        return oslo_messaging.NotificationResult.HANDLED
