"""The operator's requests as the engine takes them: validate, record,
start.

Each request is checked against the cloud and the database before anything
changes; a request that cannot be carried out raises ``InvalidInput``,
``NotFound`` or ``Conflict`` and leaves no trace. An accepted one is one
notification of its own type, written before it is handed to the engine's
pool, and returned as a plain dict. ``host_set`` acts at once (a role is a
switch, not a move), and so does ``host_sync`` (the inventory read now).
"""

from collections.abc import Callable
from typing import Any
import uuid as uuidlib

from oslo_log import log as logging

from vmotiond import constants
from vmotiond import exception
from vmotiond.cloud import inventory
from vmotiond.cloud import records
from vmotiond.engine.commands import views
from vmotiond.engine.deciding import eligibility
from vmotiond.engine.deciding import intents
from vmotiond.engine.deciding import names
from vmotiond.engine.workflows import custom_migration
from vmotiond.engine.workflows import move_back
from vmotiond.engine.workflows import release as release_mod
from vmotiond.engine.workflows import reset_state
from vmotiond.engine.workflows import standby
from vmotiond.engine.workflows import workflow

LOG = logging.getLogger(__name__)

SOURCE = "vmotiond-manage"
STANDBY_REASON = standby.REASON
ACTIVE = (constants.NOTIFICATION_NEW, constants.NOTIFICATION_RUNNING)


class OperatorApi:
    """Validates and starts the operator's requests."""

    def __init__(self, services: workflow.Services,
                 submit: Callable[[str], object]) -> None:
        self.s = services
        self.submit = submit

    # -- host switches ----------------------------------------------------

    def host_set(self, host: str, role: str | None = None,
                 auto_evacuate: bool | None = None,
                 maintenance: bool | None = None) -> dict[str, Any]:
        """Set a host's role and switches; return what changed."""
        db = self.s.db
        if role is not None and role not in constants.HOST_ROLES:
            raise exception.InvalidInput(reason="role must be one of %s"
                                         % ", ".join(constants.HOST_ROLES))
        try:
            record = db.host_get(host)
        except exception.NotFound:
            raise exception.NotFound(
                kind="Host", ident="%s (run 'vmotiond-manage host sync')"
                % host) from None
        changes: list[str] = []
        values: dict[str, Any] = {}
        if role is not None:
            service = self._service(host)
            changes += self._switch_role(service, role)
            if record.role != role:
                values["role"] = role
                changes.append("role %s -> %s" % (record.role, role))
        for name, value in (("auto_evacuate", auto_evacuate),
                            ("maintenance", maintenance)):
            if value is not None and bool(getattr(record, name)) != value:
                values[name] = value
                changes.append("%s %s" % (name, "on" if value else "off"))
        if values:
            db.host_update(host, values)
        record = db.host_get(host)
        LOG.info("Host %s set: %s", host, "; ".join(changes) or "unchanged")
        return {"host": host, "role": record.role,
                "auto_evacuate": record.auto_evacuate,
                "maintenance": record.maintenance, "changes": changes}

    def host_sync(self) -> dict[str, int]:
        """Refresh the hosts table from Nova now, with the monitor's own
        inventory sync (``vmotiond.cloud.inventory``); the counts of
        created, updated and deleted hosts."""
        return inventory.sync(self.s.cloud, self.s.db.hosts_sync)

    def _switch_role(self, service: records.ComputeService, role: str
                     ) -> list[str]:
        cloud, host = self.s.cloud, service.host
        if role == constants.ROLE_STANDBY:
            out = []
            if service.status == "enabled":
                cloud.disable_service(service.id, host, STANDBY_REASON)
                out.append("compute service disabled (%s)" % STANDBY_REASON)
            elif service.operator_disabled:
                out.append("warning: an operator disabled its compute "
                           "service (%s): it receives no instance until it "
                           "is enabled and set standby again"
                           % (service.disabled_reason or "no reason"))
            count = len(cloud.list_servers(host))
            if count:
                out.append("warning: %d instance(s) still on it; drain it "
                           "to keep it empty" % count)
            return out
        if service.status != "disabled":
            return []
        if service.forced_down:
            return ["compute service left disabled: the host is fenced "
                    "(forced down); 'host move-back' or 'host release' "
                    "clears the fence"]
        if service.operator_disabled:
            return ["compute service left disabled: an operator disabled "
                    "it (%s)" % (service.disabled_reason or "no reason")]
        cloud.enable_service(service.id, host)
        return ["compute service enabled"]

    # -- notifications ----------------------------------------------------

    def drain(self, host: str) -> dict[str, Any]:
        """Start emptying ``host`` (``HOST_DRAIN``)."""
        service = self._service(host)
        if service.forced_down or service.state != "up":
            raise exception.Conflict(
                reason="the compute service of %s is down; a drain needs "
                       "it up (a failed host is evacuated instead)" % host)
        self._not_busy(host)
        return self._start(constants.HOST_DRAIN, host, {"host": host})

    def migrate(self, instances: list[str], destination: str | None,
                mode: str = intents.MODE_AUTO) -> dict[str, Any]:
        """Start moving ``instances`` (``CUSTOM_MIGRATION``).

        ``destination``: a host, ``"*"`` (Nova chooses) or None (vmotiond's
        planner chooses).
        """
        if mode not in intents.MODES:
            raise exception.InvalidInput(reason="mode must be one of %s"
                                         % ", ".join(intents.MODES))
        ids = self._instances(instances)
        if destination not in (None, names.LET_NOVA_CHOOSE):
            self._check_target(str(destination))
        host = None if destination == names.LET_NOVA_CHOOSE else destination
        return self._start(constants.CUSTOM_MIGRATION, host,
                           custom_migration.payload(ids, destination, mode))

    def reset_state(self, instances: list[str], state: str
                    ) -> dict[str, Any]:
        """Start resetting ``instances`` to ``state`` (``RESET_STATE``)."""
        if state not in reset_state.STATES:
            raise exception.InvalidInput(reason="state must be one of %s"
                                         % ", ".join(reset_state.STATES))
        ids = self._instances(instances)
        return self._start(constants.RESET_STATE, None,
                           reset_state.payload(ids, state))

    def move_back(self, host: str, trigger: str = "operator"
                  ) -> dict[str, Any]:
        """Start moving back to ``host`` (``MOVE_BACK``)."""
        service = self._service(host)
        problem = move_back.health_problem(self.s.db, service)
        if problem is not None:
            raise exception.Conflict(reason="host %s cannot take its "
                                     "instances back: %s" % (host, problem))
        self._not_busy(host)
        refused = move_back.unfence_problem(
            release_mod.judge(self.s.db, self.s.conf, service), service)
        if refused is not None:
            raise exception.Conflict(reason="host %s cannot take its "
                                     "instances back: %s" % (host, refused))
        evacuation = move_back.last_evacuation(self.s.db, host)
        if evacuation is None:
            raise exception.InvalidInput(
                reason="host %s has no ended evacuation that moved an "
                       "instance; nothing to move back" % host)
        return self._start(constants.MOVE_BACK, host, move_back.payload(
            host, evacuation.uuid, trigger))

    def release(self, host: str) -> dict[str, Any]:
        """Start lifting vmotiond's fence off ``host`` (``HOST_RELEASE``)."""
        service = self._service(host)
        plan = release_mod.judge(self.s.db, self.s.conf, service)
        if plan.refused:
            raise exception.Conflict(reason="host %s: %s; nothing was "
                                     "released" % (host, plan.refused))
        if plan.nothing:
            raise exception.Conflict(
                reason="host %s is not fenced by vmotiond (%s); nothing to "
                       "release" % (host, release_mod.describe(service)))
        return self._start(constants.HOST_RELEASE, host, {"host": host})

    def confirm_fenced(self, host: str) -> dict[str, Any]:
        """Record that an operator made sure ``host`` is powered off: its
        recovery, blocked by a power fencing that failed, goes on."""
        for row in self.s.db.notification_list(
                status=ACTIVE, host=host, type=constants.COMPUTE_HOST,
                sort_dir="asc"):
            if row.fenced_at is not None:
                continue
            if not self.s.db.notification_set_fence_confirmed(
                    row.uuid, self.s.clock.now()):
                raise exception.Conflict(
                    reason="host %s was confirmed powered off already for "
                           "notification %s" % (host, row.uuid))
            LOG.warning("Host %s confirmed powered off by an operator; "
                        "recovery %s goes on", host, row.uuid)
            return views.notification(self.s.db.notification_get(row.uuid))
        raise exception.Conflict(
            reason="host %s has no recovery waiting to fence it; nothing "
                   "was confirmed" % host)

    # -- helpers ----------------------------------------------------------

    def _start(self, type_: str, host: str | None,
               payload: dict[str, Any]) -> dict[str, Any]:
        key = "%s:%s:%s" % (type_, host or "-", uuidlib.uuid4())
        row = self.s.db.notification_create(
            type_, host, key, payload, source=SOURCE,
            generated_time=self.s.clock.now())
        LOG.info("%s notification %s recorded (%s)", type_, row.uuid,
                 host or "no host")
        self.submit(row.uuid)
        return views.notification(self.s.db.notification_get(row.uuid))

    def _service(self, host: str) -> records.ComputeService:
        service = workflow.service_of(self.s.cloud, host)
        if service is None:
            raise exception.NotFound(kind="Compute host", ident=host)
        return service

    def _not_busy(self, host: str) -> None:
        for row in self.s.db.notification_list(status=ACTIVE, host=host):
            if row.type in workflow.HOST_LOCKED:
                raise exception.Conflict(
                    reason="host %s has %s notification %s %s; wait for it "
                           "or abort it" % (host, row.type, row.uuid,
                                            row.status))

    def _instances(self, instances: list[str]) -> list[str]:
        ids = list(dict.fromkeys(i.strip() for i in instances if i.strip()))
        if not ids:
            raise exception.InvalidInput(reason="no instance given")
        for sid in ids:
            try:
                self.s.cloud.get_server(sid)
            except exception.CloudNotFound:
                raise exception.NotFound(kind="Instance",
                                         ident=sid) from None
        return ids

    def _check_target(self, host: str) -> None:
        """Refuse ``host`` as a custom migration's target the way the
        planner would (``eligibility.refusal``); the zone is the planner's
        to check, instance by instance."""
        service = workflow.service_of(self.s.cloud, host)
        if service is None:
            raise exception.InvalidInput(
                reason="target host %s is unknown to Nova" % host)
        capacity = next((c for c in self.s.cloud.list_host_capacities()
                         if c.host == host), None)
        refused = eligibility.refusal(
            constants.CUSTOM_MIGRATION,
            workflow.host_facts(self.s.db, service, capacity))
        if refused is not None:
            raise exception.Conflict(reason="target host %s is not usable: "
                                     "%s" % (host, refused.message))
