"""Drain a host: move every instance off, in one operator request.

Running instances go by live migration, stopped ones by cold migration and
confirm; targets are standby hosts first, then normal hosts by the weighted
free RAM / vCPU / disk score (the planner's ``plan_drain``). Each vmove's
steps: record floating IPs, migrate, wait until it runs ACTIVE (or SHUTOFF)
on its new host, confirm (cold), check floating IPs.

Before planning, the host's compute service is disabled (reason starting
``vmotiond:draining:<uuid>``) so Nova schedules nothing new onto the host being
emptied; ``vmotiond-manage host set HOST --role normal`` enables it again.
One writer per host: the drain holds the host's lock, as a recovery does.
"""

from oslo_log import log as logging

from vmotiond import disabled_reason
from vmotiond.db import models
from vmotiond.engine.deciding import planner
from vmotiond.engine.deciding.records import Plan
from vmotiond.engine.workflows import workflow

LOG = logging.getLogger(__name__)


class HostDrain(workflow.Workflow):
    """Runs ``HOST_DRAIN`` notifications (``notification.host`` empties)."""

    kind = "drain"

    def prepare(self, notification: models.Notification) -> None:
        host = str(notification.host)
        service = workflow.service_or_end(self.s.cloud, host)
        if service.status == "enabled":
            self.s.cloud.disable_service(
                service.id, host, disabled_reason.make(
                    disabled_reason.DRAINING, notification.uuid))
            LOG.info("Host %s disabled while it is drained", host)

    def plan(self, notification: models.Notification) -> Plan:
        host = str(notification.host)
        start = workflow.emptying(self.s.db, self.s.cloud, host,
                                  "it is the host being drained")
        return planner.plan_drain(host, start.servers, start.targets,
                                  self.s.options,
                                  server_groups=start.server_groups,
                                  source_zone=start.source_zone)
