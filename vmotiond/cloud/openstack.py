"""``OpenStackCloud``: the ``Cloud`` protocol over openstacksdk.

Each call goes through the service's openstacksdk proxy (a keystoneauth
adapter: catalog, auth, version discovery) with an explicit microversion,
so the cloud's behaviour does not change with the SDK's negotiation.
Reads use ``[cloud] compute_api_version`` (>= 2.53: services and
hypervisors by UUID, flavors embedded in servers, paginated migrations).
"""

from collections.abc import Callable
from collections.abc import Mapping
import os
import threading
from typing import Any
from typing import TypeVar

import openstack
from openstack import config as sdk_config
from openstack import connection as sdk_connection
from oslo_config import cfg
from oslo_log import log as logging

from vmotiond import clock as clock_mod
from vmotiond import exception
from vmotiond.cloud import capacity
from vmotiond.cloud import convert
from vmotiond.cloud import http
from vmotiond.cloud import records
from vmotiond.cloud import retry
from vmotiond.conf import cloud as cloud_conf

LOG = logging.getLogger(__name__)
T = TypeVar("T")

MIN_COMPUTE_VERSION = (2, 53)
COMPUTE_BINARY = "nova-compute"
AGENT_FIELDS = ("host", "agent_type", "configurations")


def _version(text: str) -> tuple[int, int]:
    try:
        major, minor = text.split(".")
        return int(major), int(minor)
    except ValueError:
        raise exception.ConfigError(
            reason="bad microversion %r" % text) from None


def connect(conf: cfg.ConfigOpts) -> sdk_connection.Connection:
    """Open an openstacksdk connection from ``[cloud]`` and clouds.yaml.

    With ``[cloud] clouds_file`` set, that file is the only clouds.yaml
    read: openstacksdk's environment (``OS_CLIENT_CONFIG_FILE``, ``OS_CLOUD``,
    ``OS_*`` credentials) is not consulted, and a set
    ``OS_CLIENT_CONFIG_FILE`` is logged as ignored.
    """
    group = conf.cloud
    kwargs: dict[str, Any] = dict(cloud=group.cloud, interface=group.interface,
                                  api_timeout=group.api_timeout)
    if group.region_name:
        kwargs["region_name"] = group.region_name
    files = None
    if group.clouds_file:
        if not os.path.isfile(group.clouds_file):
            raise exception.ConfigError(
                reason="[cloud] clouds_file %s does not exist"
                % group.clouds_file)
        files = [group.clouds_file]
        ignored = os.environ.get("OS_CLIENT_CONFIG_FILE")
        if ignored:
            LOG.warning("OS_CLIENT_CONFIG_FILE=%s is ignored: [cloud] "
                        "clouds_file names %s", ignored, group.clouds_file)
    try:
        loader = sdk_config.OpenStackConfig(
            config_files=files, load_envvars=files is None)
        region = loader.get_one(**kwargs)
    except openstack.exceptions.ConfigException as error:
        raise exception.ConfigError(
            reason="[cloud] cloud %s: %s" % (group.cloud, error)) from error
    LOG.info("Cloud %s from %s (region %s, %s endpoints): %s", group.cloud,
             loader.config_filename or "no clouds.yaml",
             region.region_name or "default", group.interface,
             describe(region.config))
    return sdk_connection.Connection(config=region)


def describe(config: dict[str, Any]) -> str:
    """Where a cloud's calls go, as its clouds.yaml entry says (no I/O):
    the Keystone URL, or the fixed endpoint, and the overrides."""
    auth = config.get("auth") or {}
    parts = []
    if config.get("auth_type") in ("none", "noauth", "admin_token"):
        parts.append("no Keystone (auth_type %s, endpoint %s)" % (
            config["auth_type"], auth.get("endpoint") or "unset"))
    else:
        parts.append("Keystone at %s" % (auth.get("auth_url") or "unset"))
    parts.extend("%s %s" % (key[:-len("_endpoint_override")], value)
                 for key, value in sorted(config.items())
                 if key.endswith("_endpoint_override") and value)
    return ", ".join(parts)


class OpenStackCloud:
    """The cloud as vmotiond sees it; see ``vmotiond.cloud.base.Cloud``.

    Each call is retried ``retries`` times, ``[cloud] api_retries`` unless
    given (``with_retries``: the same connection and what was found out
    about its services, other retries).
    """

    def __init__(self, conn: sdk_connection.Connection,
                 conf: cfg.ConfigOpts | None = None,
                 clock: clock_mod.Clock | None = None,
                 stop: threading.Event | None = None,
                 retries: int | None = None,
                 like: "OpenStackCloud | None" = None) -> None:
        if conf is None:
            conf = cfg.ConfigOpts()
            conf([], project="vmotiond", default_config_files=[])
        if "cloud" not in conf:
            cloud_conf.register_opts(conf)
        group = conf.cloud
        if _version(group.compute_api_version) < MIN_COMPUTE_VERSION:
            raise exception.ConfigError(
                reason="[cloud] compute_api_version must be at least 2.53")
        self.conn = conn
        self._made = (conf, clock, stop)
        http.skip_environment(getattr(conn, "session", None))
        self.page_size = group.page_size
        self._services = convert.ServiceReader()
        self.retrier = retry.Retrier(
            clock or clock_mod.Clock(),
            group.api_retries if retries is None else retries,
            group.api_retry_backoff, group.api_retry_backoff_max, stop)
        if like is None:
            timeout = group.api_timeout
            self.compute = http.ApiClient(
                lambda: conn.compute, "compute", self.retrier, timeout,
                group.compute_api_version)
            self.placement = http.ApiClient(
                lambda: conn.placement, "placement", self.retrier, timeout,
                group.placement_api_version)
            self.network = http.ApiClient(
                lambda: conn.network, "network", self.retrier, timeout,
                optional=True)
            # Glance answers a missing image with a page, not an API error.
            self.image = http.ApiClient(
                lambda: conn.image, "image", self.retrier, timeout,
                optional=True, pages_are_errors=True)
        else:
            # The same services, and what ``like`` found out about them.
            self.compute, self.placement, self.network, self.image = (
                client.retried_by(self.retrier) for client in (
                    like.compute, like.placement, like.network, like.image))
        self.capacity = capacity.CapacityReader(
            self.compute, self.placement, group.hypervisor_api_version,
            group.capacity_source, self.page_size)

    @classmethod
    def from_config(cls, conf: cfg.ConfigOpts,
                    clock: clock_mod.Clock | None = None,
                    stop: threading.Event | None = None) -> "OpenStackCloud":
        """Build from ``[cloud]``: the named clouds.yaml entry."""
        return cls(connect(conf), conf, clock, stop)

    def with_retries(self, retries: int) -> "OpenStackCloud":
        """This cloud over the same connection, each call retried
        ``retries`` times (0: the monitor's polls, whose next poll is the
        retry)."""
        conf, clock, stop = self._made
        return type(self)(self.conn, conf, clock, stop, retries=retries,
                          like=self)

    # Reads.

    def _list(self, client: http.ApiClient, path: str, key: str, call: str,
              convert_one: Callable[[Mapping[str, Any]], T],
              params: dict[str, Any]) -> list[T]:
        """Every item of a paged list, asked with the ``params`` not None."""
        items = client.list_paged(
            path, key, call,
            params={k: v for k, v in params.items() if v is not None},
            page_size=self.page_size)
        return [convert_one(item) for item in items]

    def list_compute_services(self) -> list[records.ComputeService]:
        body = self.compute.get("os-services", "list services",
                                params={"binary": COMPUTE_BINARY}) or {}
        return self._services.read(body.get("services", ()))

    def list_host_capacities(self) -> list[records.HostCapacity]:
        return self.capacity.read()

    def list_servers(self, host: str | None = None) -> list[records.Server]:
        return self._list(self.compute, "servers/detail", "servers",
                          "list servers", convert.server,
                          {"all_tenants": "True", "host": host or None})

    def list_servers_page(self, limit: int, marker: str | None = None
                          ) -> tuple[list[records.Server], str | None]:
        """One page of every project's servers, newest first, and the
        marker of the next page (None: this is the last)."""
        body = self.compute.get(
            "servers/detail", "list servers",
            params={k: v for k, v in (("all_tenants", "True"),
                                      ("limit", limit), ("marker", marker))
                    if v is not None}) or {}
        return ([convert.server(s) for s in body.get("servers") or ()],
                http.next_marker(body.get("servers_links") or []))

    def list_servers_changed(self, since: str) -> list[records.Server]:
        """Every project's servers Nova changed at or after ``since`` (a
        server's ``updated``, Nova's clock), deleted ones included."""
        return self._list(self.compute, "servers/detail", "servers",
                          "list changed servers", convert.server,
                          {"all_tenants": "True", "changes-since": since})

    def get_server(self, server_id: str) -> records.Server:
        body = self.compute.get("servers/%s" % server_id, "get server")
        return convert.server(body["server"])

    def list_server_groups(self) -> list[records.ServerGroup]:
        # Nova pages server groups by limit and offset, without links.
        groups: dict[str, records.ServerGroup] = {}
        while True:
            body = self.compute.get(
                "os-server-groups", "list server groups",
                params={"all_projects": "True", "limit": self.page_size,
                        "offset": len(groups)}) or {}
            page = [convert.server_group(g)
                    for g in body.get("server_groups") or ()]
            before = len(groups)
            groups.update((g.id, g) for g in page)
            if len(page) < self.page_size or len(groups) == before:
                return list(groups.values())

    def list_aggregates(self) -> list[records.Aggregate]:
        # Nova does not page host aggregates.
        body = self.compute.get("os-aggregates", "list aggregates") or {}
        return [convert.aggregate(a) for a in body.get("aggregates") or ()]

    def get_image(self, image_id: str) -> records.Image:
        at = self.image.endpoint()
        if at is not None and at == self.compute.endpoint():
            # openstacksdk's auth_type none resolves a service missing
            # from clouds.yaml to the compute endpoint.
            raise exception.CloudServiceMissing(
                service="image", call="get image",
                reason="its endpoint is the compute one, %s" % at)
        body = self.image.get("images/%s" % image_id, "get image")
        if not isinstance(body, dict) or "id" not in body:
            # Another service at the image URL (Nova's image proxy).
            raise exception.CloudServiceMissing(
                service="image", call="get image",
                reason="the answer is no Glance v2 image")
        return convert.image(body)

    def list_migrations(self, server_id: str | None = None,
                        migration_type: str | None = None
                        ) -> list[records.Migration]:
        return self._list(self.compute, "os-migrations", "migrations",
                          "list migrations", convert.migration,
                          {"instance_uuid": server_id or None,
                           "migration_type": migration_type or None})

    def list_ports(self, device_id: str) -> list[records.Port]:
        return self._list(self.network, "ports", "ports", "list ports",
                          convert.port, {"device_id": device_id})

    def list_ports_of(self, device_ids: list[str]) -> list[records.Port]:
        """The ports of every device of ``device_ids`` in one list call
        (``device_id`` repeated: keep the list short enough for a URL)."""
        if not device_ids:
            return []
        return self._list(self.network, "ports", "ports", "list ports",
                          convert.port, {"device_id": list(device_ids)})

    def list_network_agents(self) -> list[records.NetworkAgent]:
        # Few (some per host): one request, only the fields read.
        items = self.network.list_paged(
            "agents", "agents", "list network agents",
            params={"fields": list(AGENT_FIELDS)})
        return [convert.network_agent(item) for item in items]

    def list_floating_ips(self, port_ids: list[str] | None = None
                          ) -> list[records.FloatingIp]:
        if port_ids is not None and not port_ids:
            return []
        return self._list(self.network, "floatingips", "floatingips",
                          "list floating IPs", convert.floating_ip,
                          {"port_id": list(port_ids) if port_ids else None})

    # Fencing and host switches (services by UUID, microversion >= 2.53).

    def force_down_service(self, service_id: str, host: str,
                           forced_down: bool = True) -> str | None:
        LOG.info("Setting forced_down=%s on nova-compute of %s",
                 forced_down, host)
        return self._update_service(service_id, {"forced_down": forced_down},
                             "force down service")

    def disable_service(self, service_id: str, host: str,
                        reason: str) -> str | None:
        LOG.info("Disabling nova-compute of %s: %s", host, reason)
        return self._update_service(service_id, {"status": "disabled",
                                          "disabled_reason": reason},
                             "disable service")

    def enable_service(self, service_id: str, host: str) -> str | None:
        LOG.info("Enabling nova-compute of %s", host)
        return self._update_service(service_id, {"status": "enabled"},
                             "enable service")

    def _update_service(self, service_id: str, body: dict[str, Any],
                        call: str) -> str | None:
        return self.compute.act("PUT", "os-services/%s" % service_id, call,
                                json=body, idempotent=True)

    # Moves and state.

    def evacuate_server(self, server_id: str, host: str | None = None,
                        microversion: str = "2.94") -> str | None:
        body: dict[str, Any] = {}
        if host:
            body["host"] = host
        return self._action(server_id, "evacuate", body,
                            microversion=microversion)

    def migrate_server(self, server_id: str,
                       host: str | None = None) -> str | None:
        return self._action(server_id, "migrate",
                            {"host": host} if host else None)

    def confirm_resize(self, server_id: str) -> str | None:
        return self._action(server_id, "confirmResize", None)

    def live_migrate_server(self, server_id: str,
                            host: str | None = None) -> str | None:
        return self._action(server_id, "os-migrateLive",
                     {"host": host, "block_migration": "auto"})

    def reset_server_state(self, server_id: str, state: str) -> str | None:
        return self._action(server_id, "os-resetState", {"state": state},
                     idempotent=True)

    def start_server(self, server_id: str) -> str | None:
        return self._action(server_id, "os-start", None)

    def stop_server(self, server_id: str) -> str | None:
        return self._action(server_id, "os-stop", None)

    def pause_server(self, server_id: str) -> str | None:
        return self._action(server_id, "pause", None)

    def suspend_server(self, server_id: str) -> str | None:
        return self._action(server_id, "suspend", None)

    def resume_server(self, server_id: str) -> str | None:
        return self._action(server_id, "resume", None)

    def _action(self, server_id: str, action: str, body: Any,
                microversion: str | None = None,
                idempotent: bool = False) -> str | None:
        LOG.debug("Server %s: %s %s", server_id, action, body)
        return self.compute.act("POST", "servers/%s/action" % server_id,
                                action, json={action: body},
                                microversion=microversion,
                                idempotent=idempotent)

    # Floating IPs.

    def associate_floating_ip(self, floating_ip_id: str,
                              port_id: str) -> str | None:
        return self.network.act("PUT", "floatingips/%s" % floating_ip_id,
                                "associate floating IP",
                                json={"floatingip": {"port_id": port_id}},
                                idempotent=True)

    def disassociate_floating_ip(self, floating_ip_id: str) -> str | None:
        return self.network.act("PUT", "floatingips/%s" % floating_ip_id,
                                "disassociate floating IP",
                                json={"floatingip": {"port_id": None}},
                                idempotent=True)
