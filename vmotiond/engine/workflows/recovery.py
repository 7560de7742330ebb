"""The host-failure workflow: a ``COMPUTE_HOST`` notification's recovery.

In the shape of every workflow (``vmotiond.engine.workflows.workflow``),
under the host's lock, with the notification claimed:

1. end ``ignored`` before anything is fenced when an older recovery of
   the host is still new or running, the host's auto evacuation is off,
   it is in maintenance, or an earlier recovery of it failed (its reason
   ``vmotiond:failed:<uuid>``: never retried automatically; ``host
   release`` clears it) (on a first run only: a resumed one has vmoves);
2. fence the host: power it off (``[engine] fence_attempts`` tries, each
   recorded in the notification's message); when every try fails, raise
   an alert and wait, with nothing moved, until an operator confirms the
   host off (``host confirm-fenced``, kept in the notification's
   ``fence_confirmed_at``, so a restarted engine sees it too); then force
   it down and disable it (``vmotiond:recovering:<uuid>``); a Nova failure
   ends it ``failed`` with nothing moved; wait ``[engine]
   fence_settle_delay`` for shared storage to release the host's locks;
3. plan (``plan_host``; Nova's host aggregates and the instances'
   images read once, for their protection, unknown if the cloud fails)
   and write every vmove (``pending`` or
   ``ignored``) in one transaction before anything moves; on resume,
   ongoing vmoves continue from their last finished step, each step
   checking Nova first, so no instance is evacuated twice;
4. then, as every workflow: open the standby hosts the plan uses, run the
   vmoves honouring an abort, close the unused standby hosts, and end
   ``finished``, ``failed`` (a move failed, or instances found no
   capacity) or ``aborted``;
5. once every vmove is final, a ``failed`` recovery marks its host
   ``vmotiond:failed:<uuid>`` (a redone one fences it ``recovering``
   again). The host stays forced down and disabled: only a move-back or a
   release lifts the fence (``release.decide``).
"""

from oslo_log import log as logging

from vmotiond import constants
from vmotiond import disabled_reason
from vmotiond import exception
from vmotiond import metrics
from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import images
from vmotiond.cloud import records
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
    doing = "planning the recovery of %s" % host
    return planner.plan_evacuation(host, start.servers, start.targets,
                                   options, server_groups=start.server_groups,
                                   source_zone=start.source_zone,
                                   aggregates=workflow.aggregates(
                                       cloud, doing),
                                   images=images.read(cloud, start.servers,
                                                      doing))


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


def marked_failed(service: records.ComputeService | None,
                  notification: models.Notification) -> str | None:
    """Why an earlier recovery's ``failed`` mark on ``service`` stops
    ``notification`` (pure), or None."""
    if service is None or service.status != "disabled":
        return None
    reason = disabled_reason.parse(service.disabled_reason)
    if reason is None or reason.cause != disabled_reason.FAILED or \
            reason.notification == notification.uuid:
        return None
    return ("the recovery of host %s by notification %s failed: it is not "
            "recovered again automatically; 'vmotiond-manage host release "
            "%s' clears the mark once it is repaired; nothing was fenced or "
            "moved" % (service.host, reason.notification, service.host))


ALERT_POWER_FENCING = "power_fencing_failed"


class HostRecovery(workflow.Workflow):
    """Runs ``COMPUTE_HOST`` notifications: fence, then evacuate."""

    kind = "recovery"

    def __init__(self, services: workflow.Services,
                 fencer: fence.Fencer) -> None:
        super().__init__(services)
        self.fencer = fencer

    def prepare(self, notification: models.Notification) -> None:
        db, host = self.s.db, str(notification.host)
        first = not db.vmove_list(notification_uuid=notification.uuid)
        refused = earlier_recovery(db, notification) or \
            switched_off(db, host) or \
            marked_failed(workflow.service_of(self.s.cloud, host),
                          notification)
        if refused and first:
            raise workflow.Ended(constants.NOTIFICATION_IGNORED, refused)
        power = self.power_off(notification)
        try:
            fenced = self.fencer.cut_off(host, disabled_reason.make(
                disabled_reason.RECOVERING, notification.uuid), power)
        except (exception.FencingFailed, exception.CloudError) as exc:
            metrics.FENCE_ATTEMPTS.labels(metrics.NOT_FENCED).inc()
            LOG.warning("Fencing %s failed: %s", host, exc)
            raise workflow.Ended(constants.NOTIFICATION_FAILED,
                                 "fencing failed, nothing was moved: %s"
                                 % exc) from exc
        metrics.FENCE_ATTEMPTS.labels(metrics.FENCED).inc()
        fence.record(db, fenced.service)
        db.notification_set_fenced(notification.uuid, self.s.clock.now())
        delay = self.s.conf.engine.fence_settle_delay
        if first and delay > 0:
            LOG.info("Host %s fenced; waiting %.0f s for shared storage to "
                     "release its locks", host, delay)
            if self.s.clock.wait(self.s.stop, delay):
                raise exception.Interrupted(reason="stopping after fencing")

    def power_off(self, notification: models.Notification) -> str:
        """Power the host off; when every attempt fails, alert and wait
        for the operator's confirmation. What was done."""
        db, host, uuid = self.s.db, str(notification.host), notification.uuid
        if notification.fenced_at is not None:
            return "fenced already (resumed)"
        if notification.fence_confirmed_at is not None:
            return "confirmed powered off by an operator"
        address, no_address = fence.power_address(
            host, self.s.conf.engine.ipmi_addresses,
            {h.name: h.management_ip for h in db.host_list()})
        tries: list[str] = []

        def attempted(what: str) -> None:
            tries.append(what)
            db.notification_set_status(
                uuid, constants.NOTIFICATION_RUNNING,
                expected=(constants.NOTIFICATION_RUNNING,),
                message="; ".join(tries))

        try:
            return self.fencer.power_off(host, address,
                                         no_address or fence.NO_ADDRESS,
                                         attempted)
        except exception.PowerFencingFailed as exc:
            message = ("host %s could not be powered off (%s); nothing is "
                       "evacuated until an operator makes sure it is off "
                       "and runs 'vmotiond-manage host confirm-fenced %s'"
                       % (host, "; ".join(exc.attempts), host))
            LOG.error("%s", message)
            db.alert_create(ALERT_POWER_FENCING,
                            "vmotiond-engine.%s" % self.s.conf.host, message,
                            host=host, evidence={"notification": uuid,
                                                 "attempts": exc.attempts})
            attempted("waiting for 'vmotiond-manage host confirm-fenced "
                      "%s'" % host)
        return self.await_confirmation(uuid)

    def await_confirmation(self, uuid: str) -> str:
        """Wait until an operator confirms the host off (or aborts)."""
        while True:
            note = self.s.db.notification_get(uuid)
            if note.fence_confirmed_at is not None:
                LOG.info("Host %s confirmed powered off by an operator",
                         note.host)
                return "confirmed powered off by an operator"
            if note.status != constants.NOTIFICATION_RUNNING:
                raise workflow.Ended(note.status, str(note.message))
            if self.s.clock.wait(self.s.stop,
                                 self.s.conf.engine.poll_interval):
                raise exception.Interrupted(
                    reason="stopping while waiting for confirm-fenced")

    def finish(self, notification: models.Notification, status: str
               ) -> None:
        """Mark the host ``failed`` after a failed recovery (its vmoves
        all final); a redone one fences it ``recovering`` again first."""
        if status != constants.NOTIFICATION_FAILED:
            return
        host, uuid = str(notification.host), notification.uuid
        try:
            service = self.fencer.mark(
                host, disabled_reason.make(disabled_reason.FAILED, uuid),
                disabled_reason.Reason(disabled_reason.RECOVERING, uuid))
        except (exception.FencingFailed, exception.CloudError) as exc:
            LOG.warning("Host %s could not be marked failed: %s", host, exc)
            return
        if service is not None:
            fence.record(self.s.db, service)
            LOG.info("Host %s marked %s", host, service.disabled_reason)

    def plan(self, notification: models.Notification) -> Plan:
        return plan_host(self.s.db, self.s.cloud, self.s.options,
                         str(notification.host))

