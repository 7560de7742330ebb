"""Release: lift the fence vmotiond put on a host, without moving anything.

A failed host stays forced down and disabled (``vmotiond:recovering:`` or
``vmotiond:failed:<uuid>``) until every vmove from or to it is final; only
then, and only when the monitor has it healthy again, may its fence be
lifted: by a move-back, or by an operator's ``HOST_RELEASE`` notification
(payload ``{"host": ...}``), carried out under the host's lock. ``decide``
is that rule: the compute service is un-forced down, and enabled only when
vmotiond's fence disabled it (a service an operator, a drain or the standby
role disabled stays disabled); with ``[engine] leave_disabled`` it is never
enabled, its reason becomes ``vmotiond:released:<uuid>``. Releasing a host
clears the ``failed`` mark that stops its automatic recovery. The new
switches are written to the hosts table.
"""

import dataclasses

from oslo_config import cfg
from oslo_log import log as logging

from vmotiond import constants
from vmotiond import disabled_reason
from vmotiond import exception
from vmotiond.cloud import base as cloud_base
from vmotiond.cloud import records
from vmotiond.db import api as db_api
from vmotiond.db import models
from vmotiond.engine.deciding import eligibility
from vmotiond.engine.workflows import fence
from vmotiond.engine.workflows import workflow

LOG = logging.getLogger(__name__)

_IN_FLIGHT = (constants.PENDING, constants.ONGOING)


@dataclasses.dataclass(frozen=True)
class Release:
    """What releasing a host's fence does (pure decision)."""

    unforce: bool         # clear forced_down
    enable: bool          # enable the service vmotiond's fence disabled
    reason: str | None    # rewrite the disabled reason to this
    kept: str | None      # why a disabled service stays disabled
    refused: str | None = None    # why nothing may be done now

    @property
    def nothing(self) -> bool:
        return not (self.unforce or self.enable or self.reason)


def decide(service: records.ComputeService, busy: str | None = None,
           unhealthy: str | None = None, leave_disabled: bool = False
           ) -> Release:
    """What to undo of ``service``'s fence (pure): ``busy`` says why work
    on the host still runs, ``unhealthy`` why the monitor does not have it
    healthy (None: it does)."""
    disabled = service.status == "disabled"
    parsed = disabled_reason.parse(service.disabled_reason) \
        if disabled else None
    ours = parsed is not None and parsed.cause in disabled_reason.FENCE
    kept = None
    if disabled and not ours:
        kept = "its compute service stays disabled: not disabled by " \
               "vmotiond's fence (%s)" % (service.disabled_reason or
                                          "no reason")
    if not (service.forced_down or ours):
        return Release(False, False, None, kept)
    refused = busy or (unhealthy and "it is not healthy: %s" % unhealthy)
    if refused:
        return Release(False, False, None, kept, refused)
    if ours and leave_disabled:
        assert parsed is not None
        released = disabled_reason.make(disabled_reason.RELEASED,
                                        parsed.notification)
        return Release(service.forced_down, False,
                       None if released == service.disabled_reason
                       else released,
                       "its compute service stays disabled: [engine] "
                       "leave_disabled is on; enable it in Nova")
    return Release(service.forced_down, ours, None, kept)


def unhealthy(db: db_api.Database, service: records.ComputeService
              ) -> str | None:
    """Why the monitor does not have ``service``'s host healthy, or None
    (``eligibility.refusal`` of a ``MOVE_BACK``)."""
    refused = eligibility.refusal(constants.MOVE_BACK,
                                  workflow.host_facts(db, service))
    if refused is not None and refused.code == eligibility.UNHEALTHY:
        return refused.message
    return None


def judge(db: db_api.Database, conf: cfg.ConfigOpts,
          service: records.ComputeService, own: str | None = None
          ) -> Release:
    """``decide`` for ``service`` now (``own``: the notification asking)."""
    return decide(service, busy(db, service.host, own),
                  unhealthy(db, service), conf.engine.leave_disabled)


def lift(cloud: cloud_base.Cloud, service: records.ComputeService,
         plan: Release, done: list[str], receiving: bool = False) -> None:
    """Carry ``plan`` out on ``service``, appending to ``done`` what was
    done (so far, when a cloud call fails).

    ``receiving``: the host takes instances next (move-back). It is then
    no longer forced down first, so that Nova, enabling a service it takes
    as up, clears its COMPUTE_STATUS_DISABLED trait in Placement at once
    (enabled while forced down, the trait stays until nova-compute
    restarts and the scheduler finds no room there). Otherwise (a
    release, the host perhaps still dead) it is enabled while still forced
    down: Nova then takes it as down and calls no compute that may hang.
    """
    host = service.host

    def unforce() -> None:
        cloud.force_down_service(service.id, host, False)
        done.append("compute service no longer forced down")

    if plan.unforce and receiving:
        unforce()
    if plan.enable:
        cloud.enable_service(service.id, host)
        done.append("compute service enabled")
    if plan.reason:
        cloud.disable_service(service.id, host, plan.reason)
        done.append("compute service left disabled (%s)" % plan.reason)
    if plan.unforce and not receiving:
        unforce()


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
        service = workflow.service_or_end(cloud, host)
        plan = judge(self.s.db, self.s.conf, service, own=note.uuid)
        if plan.refused:
            raise workflow.Ended(constants.NOTIFICATION_IGNORED,
                                 "%s; nothing was released" % plan.refused)
        done: list[str] = []
        try:
            lift(cloud, service, plan, done)
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
