"""The host-failure workflow: lock, claim, fence, plan, record, move.

``HostRecovery.run(uuid)`` takes a persisted COMPUTE_HOST notification to
its end, or resumes it after a crash:

1. lock the host (tooz), then claim the notification by test-and-set
   ``new -> running`` (a ``running`` one is resumed: its owner is gone, or
   we would not hold the lock);
2. refuse (``ignored``) when the host's auto evacuation is off;
3. fence the host (power, force-down, disable); failure ends it ``failed``
   with nothing moved;
4. on first run, plan and write every vmove (``pending`` or ``ignored``)
   in one transaction before anything moves; on resume, ongoing vmoves
   continue from their last finished step, each step checking Nova first,
   so no instance is evacuated twice;
5. enable the standby hosts the plan uses, run the vmoves, honouring an
   operator's abort; a standby host that received nothing goes back to
   standby (``vmotiond.engine.standby``);
6. end ``finished``, ``failed`` (a move failed, or instances found no
   capacity) or ``aborted``, with a message.
"""

import threading
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging

from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond import exception
from vmotiond.cloud import base as cloud_base
from vmotiond.db import api as db_api
from vmotiond.db import models
from vmotiond.engine import batch as batch_mod
from vmotiond.engine import eligibility
from vmotiond.engine import fence
from vmotiond.engine import locks as locks_mod
from vmotiond.engine import planner
from vmotiond.engine import server_groups
from vmotiond.engine import standby
from vmotiond.engine.plan import Plan
from vmotiond.engine.plan import PlanOptions
from vmotiond.engine.plan import TargetHost

LOG = logging.getLogger(__name__)

def _not_a_target(record: Any) -> str | None:
    """Why a host must not receive instances now, if it must not, before
    ``eligibility.refusal`` judges its service. The monitor gives
    ``disabled`` only to a service an operator disabled, never to a
    standby host's that vmotiond keeps disabled."""
    if record.maintenance:
        return "it is in maintenance"
    if record.monitor_state in eligibility.NOT_TARGETS:
        return "the monitor has it %s" % record.monitor_state
    return None


class HostRecovery:
    """Recovers failed hosts; one instance serves the whole engine."""

    def __init__(self, conf: cfg.ConfigOpts, db: db_api.Database,
                 cloud: cloud_base.Cloud, clock: clock_mod.Clock,
                 stop: threading.Event, locks: locks_mod.Locks,
                 fencer: fence.Fencer, batch: batch_mod.MoveBatch) -> None:
        self.conf = conf
        self.db = db
        self.cloud = cloud
        self.clock = clock
        self.stop = stop
        self.locks = locks
        self.fencer = fencer
        self.batch = batch
        self.options = PlanOptions.from_conf(conf)

    def run(self, uuid: str) -> str | None:
        """Take notification ``uuid`` to its end; return its final status,
        or None when another engine holds it or the engine stops."""
        notification = self.db.notification_get(uuid)
        if notification.status in batch_mod.DONE:
            return str(notification.status)
        host = str(notification.host)
        lock = self.locks.get(locks_mod.host_lock_name(host))
        if not lock.acquire(blocking=False):
            LOG.info("Host %s is being recovered by another engine; "
                     "notification %s left to it", host, uuid)
            return None
        try:
            return self._locked(uuid, host)
        except exception.Interrupted:
            LOG.info("Recovery of %s interrupted; it resumes on start", host)
            return None
        finally:
            lock.release()

    def _locked(self, uuid: str, host: str) -> str | None:
        if not self.batch.claim(uuid):
            return str(self.db.notification_get(uuid).status)
        notification = self.db.notification_get(uuid)
        refused = self._earlier_recovery(notification) or \
            self._refusal(host)
        if refused and not self.db.vmove_list(notification_uuid=uuid):
            self.batch.end(uuid, constants.NOTIFICATION_IGNORED, refused)
            return constants.NOTIFICATION_IGNORED
        address, no_address = fence.power_address(
            host, self.conf.engine.ipmi_addresses,
            {h.name: h.management_ip for h in self.db.host_list()})
        try:
            fenced = self.fencer.fence(
                host, "%s %s" % (fence.FENCE_REASON, uuid), address,
                no_address or fence.NO_ADDRESS)
        except (exception.FencingFailed, exception.CloudError) as exc:
            LOG.warning("Fencing %s failed: %s", host, exc)
            self.batch.end(uuid, constants.NOTIFICATION_FAILED,
                           "fencing failed, nothing was moved: %s" % exc)
            return constants.NOTIFICATION_FAILED
        fence.record(self.db, fenced.service)
        jobs = self.batch.prepare(uuid, lambda: self.plan(host))
        standby.open_hosts(self.db, self.cloud,
                           {j.dest_host for j in jobs if j.dest_host})
        since = min(notification.created_at, notification.generated_time)
        self.batch.run(uuid, jobs, since)
        standby.settle(self.db, self.cloud, uuid, batch_mod.dest_hosts(
            self.db, uuid))
        return self.batch.conclude(uuid)

    def _earlier_recovery(self, notification: models.Notification
                          ) -> str | None:
        """A host has one recovery at a time, whatever the keys and the
        locks: one that is new or running and older than this one wins."""
        for row in self.db.notification_list(
                status=(constants.NOTIFICATION_NEW,
                        constants.NOTIFICATION_RUNNING),
                host=notification.host, type=constants.COMPUTE_HOST,
                sort_dir="asc"):
            if row.id < notification.id:
                return ("host %s is being recovered by notification %s; "
                        "nothing was fenced or moved"
                        % (notification.host, row.uuid))
        return None

    def _refusal(self, host: str) -> str | None:
        try:
            record = self.db.host_get(host)
        except exception.NotFound:
            return None
        if not record.auto_evacuate:
            return ("auto evacuation is off for host %s; nothing was "
                    "fenced or moved" % host)
        if record.maintenance:
            return ("host %s is in maintenance; nothing was fenced or "
                    "moved" % host)
        return None

    def targets(self, exclude_host: str) -> tuple[TargetHost, ...]:
        """Every compute host as a target, with roles and monitor states."""
        services = self.cloud.list_compute_services()
        capacities = self.cloud.list_host_capacities()
        roles: dict[str, str] = {}
        exclude = {exclude_host: "it is the host being emptied"}
        for record in self.db.host_list():
            roles[record.name] = record.role
            reason = _not_a_target(record)
            if reason and record.name != exclude_host:
                exclude[record.name] = reason
        return planner.build_targets(services, capacities, roles, exclude)

    def plan(self, host: str) -> Plan:
        """What an evacuation of ``host`` would do now (no side effect)."""
        servers = self.cloud.list_servers(host)
        targets = self.targets(host)
        zone = next((s.zone for s in self.cloud.list_compute_services()
                     if s.host == host), None)
        servers, groups = server_groups.of_host(self.cloud, host, servers)
        return planner.plan_evacuation(host, servers, targets, self.options,
                                       server_groups=groups,
                                       source_zone=zone)
