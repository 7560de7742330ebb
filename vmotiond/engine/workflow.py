"""What the operator's workflows share: the services they use, the targets
they may fill, and the run of one notification.

``Workflow.run(uuid)`` takes a drain, a custom migration, a reset or a
move-back to its end, or resumes it after a crash, in the shape of the
host-failure recovery: lock (one writer), claim ``new -> running``, an
optional preparation (a move-back clears the fence), the plan written as
vmoves before anything moves, the vmoves run through the shared pool
(honouring an abort), and the verdict.
"""

from collections.abc import Mapping
import dataclasses
import threading

from oslo_config import cfg
from oslo_log import log as logging

from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond import exception
from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import records
from vmotiond.db import api as db_api
from vmotiond.db import models
from vmotiond.engine import batch as batch_mod
from vmotiond.engine import eligibility
from vmotiond.engine import locks as locks_mod
from vmotiond.engine import planner
from vmotiond.engine import standby
from vmotiond.engine.plan import Plan
from vmotiond.engine.plan import PlanOptions
from vmotiond.engine.plan import TargetHost

LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class Services:
    """The engine's parts a workflow uses."""

    conf: cfg.ConfigOpts
    db: db_api.Database
    cloud: cloud_base.Cloud
    clock: clock_mod.Clock
    stop: threading.Event
    locks: locks_mod.Locks
    batch: batch_mod.MoveBatch
    options: PlanOptions


class Stopped(exception.VmotiondError):
    """A preparation ends the notification before anything moves."""

    msg_fmt = "%(reason)s"

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason=reason)
        self.status = status


def targets(db: db_api.Database, cloud: cloud_base.Cloud,
            exclude: Mapping[str, str]) -> tuple[TargetHost, ...]:
    """Every compute host as a target: roles from the hosts table; hosts
    in maintenance or that the monitor does not trust are excluded."""
    services = cloud.list_compute_services()
    capacities = cloud.list_host_capacities()
    roles: dict[str, str] = {}
    excluded = dict(exclude)
    for record in db.host_list():
        roles[record.name] = record.role
        if record.name in excluded:
            continue
        if record.maintenance:
            excluded[record.name] = "it is in maintenance"
        elif record.monitor_state in eligibility.NOT_TARGETS:
            excluded[record.name] = "the monitor has it %s" % (
                record.monitor_state)
    return planner.build_targets(services, capacities, roles, excluded)


# Notifications that move instances off or onto one host hold its lock.
HOST_LOCKED = (constants.COMPUTE_HOST, constants.HOST_DRAIN,
               constants.MOVE_BACK, constants.HOST_RELEASE)


def lock_name(notification: models.Notification) -> str:
    """The lock that makes a notification's runner unique: the host's for
    the ones that empty or refill a host, else the notification's own."""
    if notification.type in HOST_LOCKED and notification.host:
        return locks_mod.host_lock_name(notification.host)
    return "vmotiond-notification-%s" % notification.uuid


def service_of(cloud: cloud_base.Cloud, host: str
               ) -> records.ComputeService | None:
    """The nova-compute service of ``host``, or None."""
    return next((s for s in cloud.list_compute_services() if s.host == host),
                None)


def host_facts(db: db_api.Database, service: records.ComputeService,
               capacity: records.HostCapacity | None = None
               ) -> eligibility.HostFacts:
    """``service``'s host as ``eligibility.refusal`` judges it: its record
    in the hosts table, if any, and ``capacity``."""
    try:
        record = db.host_get(service.host)
    except exception.NotFound:
        return eligibility.HostFacts(service, capacity=capacity)
    return eligibility.HostFacts(service, record.role, record.maintenance,
                                 record.monitor_state, capacity)


def missing_server(server_id: str, name: str | None = None
                   ) -> records.Server:
    """A stand-in for an instance Nova no longer knows (it is ignored)."""
    return records.Server(
        id=server_id, name=name or server_id, status="DELETED",
        vm_state="deleted", task_state=None, host=None,
        availability_zone=None, project_id="", vcpus=0, memory_mb=0,
        disk_gb=0, metadata={})


def get_server(cloud: cloud_base.Cloud, server_id: str) -> records.Server:
    """The instance, or a ``DELETED`` stand-in when Nova answers 404."""
    try:
        return cloud.get_server(server_id)
    except exception.CloudNotFound:
        return missing_server(server_id)


class Workflow:
    """Base of the operator's workflows; subclasses plan."""

    kind = "operation"

    def __init__(self, services: Services) -> None:
        self.s = services

    def lock_name(self, notification: models.Notification) -> str:
        return lock_name(notification)

    def prepare(self, notification: models.Notification) -> None:
        """Act before planning; raise ``Stopped`` to end it there."""

    def plan(self, notification: models.Notification) -> Plan:
        raise NotImplementedError

    def run(self, uuid: str) -> str | None:
        """Take notification ``uuid`` to its end; return its status, or
        None when another engine holds it or the engine stops."""
        notification = self.s.db.notification_get(uuid)
        if notification.status in batch_mod.DONE:
            return str(notification.status)
        lock = self.s.locks.get(self.lock_name(notification))
        if not lock.acquire(blocking=False):
            LOG.info("%s %s is worked on by another engine", self.kind, uuid)
            return None
        try:
            return self._locked(uuid)
        except exception.Interrupted:
            LOG.info("%s %s interrupted; it resumes on start", self.kind,
                     uuid)
            return None
        finally:
            lock.release()

    def _locked(self, uuid: str) -> str:
        batch = self.s.batch
        if not batch.claim(uuid):
            return str(self.s.db.notification_get(uuid).status)
        notification = self.s.db.notification_get(uuid)
        try:
            self.prepare(notification)
        except Stopped as stop:
            batch.end(uuid, stop.status, str(stop))
            return stop.status
        except exception.CloudError as exc:
            batch.end(uuid, constants.NOTIFICATION_FAILED,
                      "nothing was moved: %s" % exc)
            return constants.NOTIFICATION_FAILED
        jobs = batch.prepare(uuid, lambda: self.plan(notification))
        standby.open_hosts(self.s.db, self.s.cloud,
                           {j.dest_host for j in jobs if j.dest_host})
        since = min(notification.created_at, notification.generated_time)
        batch.run(uuid, jobs, since)
        standby.settle(self.s.db, self.s.cloud, uuid,
                       batch_mod.dest_hosts(self.s.db, uuid))
        return batch.conclude(uuid)
