"""The operator's workflows wired onto an ``EngineManager``.

``Operations(manager)`` registers the handlers of ``HOST_DRAIN``,
``CUSTOM_MIGRATION``, ``RESET_STATE``, ``MOVE_BACK`` and ``HOST_RELEASE``,
builds the operator's API and task controls, and, given an RPC transport,
the RPC server; with ``[engine] auto_move_back`` on and a notification
transport, it also listens for the monitor's ``vmotiond.host.recovered``
and starts a move-back for the recovered host.
"""

from typing import TYPE_CHECKING
from typing import Any

from oslo_log import log as logging
import oslo_messaging

from vmotiond import constants
from vmotiond import exception
from vmotiond import messaging
from vmotiond.engine import batch as batch_mod
from vmotiond.engine import custom
from vmotiond.engine import drain
from vmotiond.engine import move_back
from vmotiond.engine import operator as operator_mod
from vmotiond.engine import policy
from vmotiond.engine import release
from vmotiond.engine import reset
from vmotiond.engine import rpc
from vmotiond.engine import runner as runner_mod
from vmotiond.engine import tasks as tasks_mod
from vmotiond.engine import workflow
from vmotiond.engine.plan import PlanOptions
from vmotiond.engine.steps.base import StepOptions
from vmotiond.verdict import payload as payload_mod
from vmotiond.verdict import signing

if TYPE_CHECKING:
    from vmotiond.engine import manager as manager_mod

LOG = logging.getLogger(__name__)


class Operations:
    """Drain, custom migration, reset, move-back, tasks and their RPC."""

    def __init__(self, manager: "manager_mod.EngineManager",
                 rpc_transport: oslo_messaging.Transport | None = None,
                 transport: oslo_messaging.Transport | None = None) -> None:
        conf = manager.conf
        runner = runner_mod.Runner(
            manager.db, manager.cloud, manager.clock, manager.stop_event,
            StepOptions.from_conf(conf),
            runner_mod.RetryOptions.from_conf(conf), policy.OPERATOR,
            slots=manager.runner.slots)
        batch = batch_mod.MoveBatch(manager.db, manager.clock,
                                    manager.stop_event, manager.dispatcher,
                                    runner)
        self.services = workflow.Services(
            conf, manager.db, manager.cloud, manager.clock,
            manager.stop_event, manager.locks, batch,
            PlanOptions.from_conf(conf))
        self.drain = drain.HostDrain(self.services)
        self.custom = custom.CustomMigration(self.services)
        self.reset = reset.ResetState(self.services)
        self.move_back = move_back.MoveBack(self.services)
        self.release = release.HostRelease(self.services)
        for kind, flow in ((constants.HOST_DRAIN, self.drain),
                           (constants.CUSTOM_MIGRATION, self.custom),
                           (constants.RESET_STATE, self.reset),
                           (constants.MOVE_BACK, self.move_back),
                           (constants.HOST_RELEASE, self.release)):
            manager.register_handler(kind, flow.run)
        self.operator = operator_mod.OperatorApi(self.services,
                                                 manager.submit)
        self.tasks = tasks_mod.TaskControl(
            self.services, manager.submit, manager.is_running,
            lambda kind: kind in manager.handlers)
        self.rpc: rpc.RpcService | None = None
        if rpc_transport is not None:
            self.rpc = rpc.RpcService(conf, rpc_transport, rpc.EngineEndpoint(
                conf.host, self.operator, self.tasks))
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
