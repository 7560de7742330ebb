"""What the operator's pages read from Nova through the engine.

The instances of one host, every instance page by page (newest first, as
Nova lists them), and, for a selection of instances, the hosts the
planner accepts as their target (``deciding.destinations``, on the
targets ``workflow.targets`` builds for every move). Each answer is a
plain, JSON-safe dict; a request naming what does not exist raises
``NotFound``, a bad page ``InvalidInput``.
"""

from typing import Any

from vmotiond import constants
from vmotiond import engine_client
from vmotiond import exception
from vmotiond.engine.commands import views
from vmotiond.engine.deciding import destinations
from vmotiond.engine.workflows import server_groups
from vmotiond.engine.workflows import workflow

MAX_PAGE = engine_client.MAX_INSTANCE_PAGE
MAX_SELECTION = engine_client.MAX_TARGETS_SELECTION


class InstanceReads:
    """Reads Nova's instances and judges targets for the operator."""

    def __init__(self, services: workflow.Services) -> None:
        self.s = services

    def host_instances(self, host: str) -> dict[str, Any]:
        """The instances Nova has on ``host``. Every compute service is
        listed (1,000 hosts: the larger read) only when the host has no
        instance, to tell an empty host from an unknown one."""
        servers = self.s.cloud.list_servers(host)
        if not servers and workflow.service_of(self.s.cloud, host) is None:
            raise exception.NotFound(kind="Compute host", ident=host)
        return {"host": host, "instances": [views.server(s)
                                            for s in servers]}

    def instances(self, limit: int, marker: str | None = None
                  ) -> dict[str, Any]:
        """One page of every instance and the marker of the next page."""
        if not 1 <= limit <= MAX_PAGE:
            raise exception.InvalidInput(
                reason="limit must be from 1 to %d, not %s"
                % (MAX_PAGE, limit))
        try:
            servers, following = self.s.cloud.list_servers_page(limit,
                                                                marker)
        except (exception.CloudNotFound, exception.CloudRefused):
            if marker is None:
                raise
            raise exception.InvalidInput(
                reason="marker %s is not an instance Nova lists" % marker
            ) from None
        return {"instances": [views.server(s) for s in servers],
                "next_marker": following}

    def targets(self, instances: list[str]) -> dict[str, Any]:
        """The hosts the planner accepts for every one of ``instances``
        (best first: standby hosts, then by name) and the others with
        the reason."""
        ids = list(dict.fromkeys(i for i in instances if i))
        if not ids or len(ids) > MAX_SELECTION:
            raise exception.InvalidInput(
                reason="name from 1 to %d instances" % MAX_SELECTION)
        servers = []
        for sid in ids:
            try:
                servers.append(self.s.cloud.get_server(sid))
            except exception.CloudNotFound:
                raise exception.NotFound(kind="Instance",
                                         ident=sid) from None
        servers, groups = server_groups.of_servers(self.s.cloud, servers)
        hosts = workflow.targets(self.s.db, self.s.cloud, {})
        refused = destinations.refusals(servers, hosts, self.s.options,
                                        server_groups=groups)
        accepted = [views.target(t) for t in hosts if refused[t.name] is None]
        accepted.sort(key=lambda t: (t["role"] != constants.ROLE_STANDBY,
                                     t["host"]))
        return {"instances": ids, "targets": accepted, "refused": [
            {"host": t.name, "reason": refused[t.name]} for t in hosts
            if refused[t.name] is not None]}
