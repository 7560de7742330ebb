"""The one shape of every notification's run, and what the kinds share.

``Workflow.run(uuid)`` takes a notification to its end, or resumes it
after a crash: lock (one writer: the host's for the kinds that empty or
refill a host), claim ``new -> running`` (or take a ``running`` one up)
with this engine as owner and a new generation, the kind's preparation (a
recovery fences, a drain disables the host, a move-back clears the fence,
a release lifts it and ends there), the plan written as vmoves in one
transaction before anything moves, the standby hosts the plan uses opened,
the vmoves run through the shared pool (honouring an abort), the unused
standby hosts closed again, the verdict, and what the kind does after it
(a failed recovery marks its host). Each kind is a subclass that
says only how it prepares and what it plans.
"""

from collections.abc import Iterable
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
from vmotiond.engine import locks as locks_mod
from vmotiond.engine.deciding import eligibility
from vmotiond.engine.deciding import planner
from vmotiond.engine.deciding.records import Plan
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.deciding.records import ServerGroup
from vmotiond.engine.deciding.records import TargetHost
from vmotiond.engine.running import batch as batch_mod
from vmotiond.engine.running import tenure
from vmotiond.engine.workflows import server_groups
from vmotiond.engine.workflows import standby

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


class Ended(exception.VmotiondError):
    """A preparation ends the notification before anything moves."""

    msg_fmt = "%(reason)s"

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason=reason)
        self.status = status


def facts_of(service: records.ComputeService, record: models.Host | None,
             capacity: records.HostCapacity | None = None
             ) -> eligibility.HostFacts:
    """``service``'s host as ``eligibility.refusal`` judges it, from its
    row in the hosts table (None: not there) and ``capacity``."""
    if record is None:
        return eligibility.HostFacts(service, capacity=capacity)
    return eligibility.HostFacts(service, record.role, record.maintenance,
                                 record.monitor_state, capacity)


def service_or_end(cloud: cloud_base.Cloud, host: str
                   ) -> records.ComputeService:
    """The nova-compute service of ``host``; without one the notification
    ends ``failed`` before anything moves."""
    service = service_of(cloud, host)
    if service is None:
        raise Ended(constants.NOTIFICATION_FAILED,
                    "Nova has no compute service on %s" % host)
    return service


def host_facts(db: db_api.Database, service: records.ComputeService,
               capacity: records.HostCapacity | None = None
               ) -> eligibility.HostFacts:
    """``facts_of`` ``service``'s host, read from the hosts table."""
    try:
        record = db.host_get(service.host)
    except exception.NotFound:
        record = None
    return facts_of(service, record, capacity)


def targets(db: db_api.Database, cloud: cloud_base.Cloud,
            exclude: Mapping[str, str],
            services: Iterable[records.ComputeService] | None = None
            ) -> tuple[TargetHost, ...]:
    """Every compute host as a target, judged by ``eligibility``; the
    hosts of ``exclude`` (the ones being emptied) with its reason.
    ``services``: Nova's compute services when already read."""
    capacities = {c.host: c for c in cloud.list_host_capacities()}
    rows = {r.name: r for r in db.host_list()}
    if services is None:
        services = cloud.list_compute_services()
    return planner.build_targets(
        (facts_of(s, rows.get(s.host), capacities.get(s.host))
         for s in services), exclude)


@dataclasses.dataclass(frozen=True)
class Emptying:
    """What the plan that empties one host starts from."""

    servers: list[records.Server]
    targets: tuple[TargetHost, ...]
    server_groups: dict[str, ServerGroup]
    source_zone: str | None


def emptying(db: db_api.Database, cloud: cloud_base.Cloud, host: str,
             reason: str) -> Emptying:
    """``host``'s instances with their server groups, every target but
    ``host`` (refused for ``reason``) and ``host``'s zone, reading Nova's
    compute services once."""
    services = cloud.list_compute_services()
    source = next((s for s in services if s.host == host), None)
    servers, groups = server_groups.of_servers(cloud,
                                               cloud.list_servers(host))
    return Emptying(servers, targets(db, cloud, {host: reason}, services),
                    groups, source.zone if source else None)


# Notifications that move instances off or onto one host hold its lock.
HOST_LOCKED = (constants.COMPUTE_HOST, constants.HOST_DRAIN,
               constants.MOVE_BACK, constants.HOST_RELEASE)


def aggregates(cloud: cloud_base.Cloud, doing: str
               ) -> list[records.Aggregate] | None:
    """Nova's host aggregates for their protection, or None (unknown, a
    warning logged) when Nova fails to list them while ``doing`` (a
    recovery's plan, a headroom check): protection must not block it."""
    try:
        return cloud.list_aggregates()
    except exception.CloudError as exc:
        LOG.warning("Host aggregates unknown while %s (their protection is "
                    "ignored): %s", doing, exc)
        return None


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
    """Base of every kind of notification; a subclass prepares and plans."""

    kind = "operation"
    # How a cloud error in the preparation ends the notification.
    unprepared = "nothing was moved"

    def __init__(self, services: Services) -> None:
        self.s = services

    def prepare(self, notification: models.Notification) -> None:
        """Act before planning; raise ``Ended`` to end it there."""

    def finish(self, notification: models.Notification, status: str
               ) -> None:
        """Act once the vmoves are over and the notification concluded
        ``status`` (``running`` when a vmove is not final yet)."""

    def plan(self, notification: models.Notification) -> Plan:
        """What the notification moves; a kind that moves nothing ends in
        ``prepare``."""
        raise NotImplementedError

    def run(self, uuid: str) -> str | None:
        """Take notification ``uuid`` to its end; return its status, or
        None when another engine holds it or the engine stops."""
        notification = self.s.db.notification_get(uuid)
        if notification.status in batch_mod.DONE:
            return str(notification.status)
        lock = self.s.locks.get(lock_name(notification))
        if not lock.acquire(blocking=False):
            # Every sweep of every idle engine meets it: not news.
            LOG.debug("%s %s (host %s) is worked on by another engine; "
                      "left to it", self.kind, uuid, notification.host)
            return None
        if notification.status == constants.NOTIFICATION_RUNNING:
            LOG.info("Taking up %s %s (host %s), left running by an engine "
                     "that stopped", self.kind, uuid, notification.host)
        try:
            return self._locked(uuid, lock)
        except exception.Interrupted:
            LOG.info("%s %s interrupted; it resumes on start", self.kind,
                     uuid)
            return None
        except exception.Superseded as exc:
            LOG.warning("%s %s (host %s): %s; this engine stops acting on "
                        "it", self.kind, uuid, notification.host, exc)
            return None
        finally:
            lock.release()

    def _locked(self, uuid: str, lock: locks_mod.Lock) -> str:
        batch = self.s.batch
        holder = batch.claim(uuid, lock)
        if holder is None:
            return str(self.s.db.notification_get(uuid).status)
        with tenure.holding(holder):
            return self._held(uuid, holder)

    def _held(self, uuid: str, holder: tenure.Tenure) -> str:
        """Run the claimed notification; every call that changes the
        cloud first checks ``holder`` (``tenure.acting``)."""
        batch = self.s.batch
        notification = self.s.db.notification_get(uuid)
        try:
            self.prepare(notification)
        except Ended as end:
            batch.end(uuid, end.status, str(end))
            return end.status
        except exception.CloudError as exc:
            batch.end(uuid, constants.NOTIFICATION_FAILED,
                      "%s: %s" % (self.unprepared, exc))
            return constants.NOTIFICATION_FAILED
        jobs = batch.prepare(uuid, lambda: self.plan(notification))
        standby.open_hosts(self.s.db, self.s.cloud,
                           {j.dest_host for j in jobs if j.dest_host})
        since = min(notification.created_at, notification.generated_time)
        batch.run(uuid, jobs, since, holder)
        standby.settle(self.s.db, self.s.cloud, uuid,
                       batch_mod.dest_hosts(self.s.db, uuid))
        status = batch.conclude(uuid)
        self.finish(notification, status)
        return status
