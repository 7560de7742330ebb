"""Release: lift the fence vmotiond put on a host, without moving anything.

After a recovery that moved nothing back (every evacuation failed, or the
operator repaired the host and wants it as it was), ``host move-back`` has
nothing to reverse. A ``HOST_RELEASE`` notification (payload ``{"host":
...}``) records the operator's decision and carries it out under the
host's lock: the compute service is un-forced down, and enabled only when
vmotiond's fence disabled it (a disabled reason starting ``vmotiond: host
failure``); a service an operator, a drain or the standby role disabled
stays disabled. The new switches are written to the hosts table. It is
refused while vmoves from or to the host are still pending or ongoing.
"""

import dataclasses

from oslo_log import log as logging

from vmotiond import constants
from vmotiond import exception
from vmotiond.cloud import records
from vmotiond.db import api as db_api
from vmotiond.db import models
from vmotiond.engine.workflows import fence
from vmotiond.engine.workflows import workflow

LOG = logging.getLogger(__name__)

_FENCE_REASON = "%s: %s" % (fence.REASON_PREFIX, fence.FENCE_REASON)
_IN_FLIGHT = (constants.PENDING, constants.ONGOING)


@dataclasses.dataclass(frozen=True)
class Release:
    """What releasing a host's fence does (pure decision)."""

    unforce: bool         # clear forced_down
    enable: bool          # enable the service vmotiond's fence disabled
    kept: str | None      # why a disabled service stays disabled

    @property
    def nothing(self) -> bool:
        return not (self.unforce or self.enable)


def decide(service: records.ComputeService) -> Release:
    """What to undo of ``service``'s fence."""
    reason = service.disabled_reason or ""
    disabled = service.status == "disabled"
    ours = disabled and reason.startswith(_FENCE_REASON)
    kept = None
    if disabled and not ours:
        kept = "its compute service stays disabled: not disabled by " \
               "vmotiond's fence (%s)" % (reason or "no reason")
    return Release(service.forced_down, ours, kept)


def busy(db: db_api.Database, host: str, own: str | None = None
         ) -> str | None:
    """Why ``host`` cannot be released now (work on it runs), or None."""
    for note in db.notification_list(status=(constants.NOTIFICATION_NEW,
                                             constants.NOTIFICATION_RUNNING),
                                     host=host):
        if note.uuid != own and note.type in workflow.HOST_LOCKED:
            return ("host %s has %s notification %s %s; wait for it or "
                    "abort it" % (host, note.type, note.uuid, note.status))
    moving = [row for row in db.vmove_list(host=host, status=_IN_FLIGHT)
              if row.notification_uuid != own]
    if moving:
        return ("host %s has %d vmove(s) still pending or ongoing (%s of "
                "notification %s); wait for them or abort their "
                "notification" % (host, len(moving), moving[0].uuid,
                                  moving[0].notification_uuid))
    return None


def describe(service: records.ComputeService) -> str:
    """A service's switches in a few words."""
    return "Nova reports it %s, %s%s" % (
        service.state, service.status,
        ", forced down" if service.forced_down else "")


class HostRelease(workflow.Workflow):
    """Runs ``HOST_RELEASE`` notifications."""

    kind = "release"

    unprepared = "not released"

    def prepare(self, notification: models.Notification) -> None:
        """Lift the fence; end the notification ``finished`` with what
        was done."""
        raise workflow.Ended(constants.NOTIFICATION_FINISHED,
                             self.release(notification))

    def release(self, note: models.Notification) -> str:
        """Lift the fence; return what was done, or raise ``Stopped``."""
        host, cloud = str(note.host), self.s.cloud
        problem = busy(self.s.db, host, own=note.uuid)
        if problem is not None:
            raise workflow.Ended(constants.NOTIFICATION_IGNORED,
                                 "%s; nothing was released" % problem)
        service = workflow.service_or_end(cloud, host)
        plan = decide(service)
        done = []
        # Enabled while still forced down: Nova then takes it as down and
        # does not call a compute that may be dead (and hang on it).
        try:
            if plan.enable:
                cloud.enable_service(service.id, host)
                done.append("compute service enabled")
            if plan.unforce:
                cloud.force_down_service(service.id, host, False)
                done.append("compute service no longer forced down")
        except exception.CloudError as exc:
            raise workflow.Ended(constants.NOTIFICATION_FAILED, "; ".join(
                done + ["not released: %s" % exc])) from exc
        if plan.kept:
            done.append(plan.kept)
        now = workflow.service_of(cloud, host) or service
        fence.record(self.s.db, now)
        LOG.info("Host %s released by operator: %s", host,
                 "; ".join(done) or "nothing was fenced")
        if plan.nothing:
            done.insert(0, "nothing to release")
        return "; ".join(done + [describe(now)])
