"""The host-failure workflow: a ``COMPUTE_HOST`` notification's recovery.

In the shape of every workflow (``vmotiond.engine.workflows.workflow``),
under the host's lock, with the notification claimed:

1. end ``ignored`` before anything is fenced when an older recovery of
   the host is still new or running, the host's auto evacuation is off or
   it is in maintenance (on a first run only: a resumed one has vmoves);
2. fence the host (power, force-down, disable); a failure ends it
   ``failed`` with nothing moved;
3. plan (``plan_host``) and write every vmove (``pending`` or
   ``ignored``) in one transaction before anything moves; on resume,
   ongoing vmoves continue from their last finished step, each step
   checking Nova first, so no instance is evacuated twice;
4. then, as every workflow: open the standby hosts the plan uses, run the
   vmoves honouring an abort, close the unused standby hosts, and end
   ``finished``, ``failed`` (a move failed, or instances found no
   capacity) or ``aborted``.
"""

from oslo_log import log as logging

from vmotiond import constants
from vmotiond import exception
from vmotiond import metrics
from vmotiond.cloud import base as cloud_base
from vmotiond.db import api as db_api
from vmotiond.db import models
from vmotiond.engine.deciding import planner
from vmotiond.engine.deciding.records import Plan
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.workflows import fence
from vmotiond.engine.workflows import workflow

LOG = logging.getLogger(__name__)


def plan_host(db: db_api.Database, cloud: cloud_base.Cloud,
              options: PlanOptions, host: str) -> Plan:
    """What an evacuation of ``host`` would do now (no side effect)."""
    start = workflow.emptying(db, cloud, host, "it is the host being emptied")
    return planner.plan_evacuation(host, start.servers, start.targets,
                                   options, server_groups=start.server_groups,
                                   source_zone=start.source_zone)


def earlier_recovery(db: db_api.Database, notification: models.Notification
                     ) -> str | None:
    """A host has one recovery at a time, whatever the keys and the
    locks: one that is new or running and older than this one wins."""
    for row in db.notification_list(
            status=(constants.NOTIFICATION_NEW,
                    constants.NOTIFICATION_RUNNING),
            host=notification.host, type=constants.COMPUTE_HOST,
            sort_dir="asc"):
        if row.id < notification.id:
            return ("host %s is being recovered by notification %s; "
                    "nothing was fenced or moved"
                    % (notification.host, row.uuid))
    return None


def switched_off(db: db_api.Database, host: str) -> str | None:
    """Why the hosts table forbids recovering ``host``, or None."""
    try:
        record = db.host_get(host)
    except exception.NotFound:
        return None
    if not record.auto_evacuate:
        return ("auto evacuation is off for host %s; nothing was "
                "fenced or moved" % host)
    if record.maintenance:
        return ("host %s is in maintenance; nothing was fenced or "
                "moved" % host)
    return None


class HostRecovery(workflow.Workflow):
    """Runs ``COMPUTE_HOST`` notifications: fence, then evacuate."""

    kind = "recovery"

    def __init__(self, services: workflow.Services,
                 fencer: fence.Fencer) -> None:
        super().__init__(services)
        self.fencer = fencer

    def prepare(self, notification: models.Notification) -> None:
        db, host = self.s.db, str(notification.host)
        refused = earlier_recovery(db, notification) or \
            switched_off(db, host)
        if refused and not db.vmove_list(notification_uuid=notification.uuid):
            raise workflow.Ended(constants.NOTIFICATION_IGNORED, refused)
        address, no_address = fence.power_address(
            host, self.s.conf.engine.ipmi_addresses,
            {h.name: h.management_ip for h in db.host_list()})
        try:
            fenced = self.fencer.fence(
                host, "%s %s" % (fence.FENCE_REASON, notification.uuid),
                address, no_address or fence.NO_ADDRESS)
        except (exception.FencingFailed, exception.CloudError) as exc:
            metrics.FENCE_ATTEMPTS.labels(metrics.NOT_FENCED).inc()
            LOG.warning("Fencing %s failed: %s", host, exc)
            raise workflow.Ended(constants.NOTIFICATION_FAILED,
                                 "fencing failed, nothing was moved: %s"
                                 % exc) from exc
        metrics.FENCE_ATTEMPTS.labels(metrics.FENCED).inc()
        fence.record(db, fenced.service)
        db.notification_set_fenced(notification.uuid, self.s.clock.now())

    def plan(self, notification: models.Notification) -> Plan:
        return plan_host(self.s.db, self.s.cloud, self.s.options,
                         str(notification.host))

