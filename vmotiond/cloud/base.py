"""The cloud facade's interface, which the monitor and engine code against.

``vmotiond.cloud.openstack.OpenStackCloud`` implements it with
openstacksdk; tests may use any object with these methods. Every method
raises only the ``vmotiond.exception.Cloud*`` errors. A call that
changes something returns the service's id of the request
(``x-openstack-request-id``), or None when it gave none.
"""

from typing import Protocol
from typing import runtime_checkable

from vmotiond.cloud import records


def acts(method: str) -> bool:
    """Whether the cloud's ``method`` changes something (it is no read:
    ``list_*``, ``get_*``)."""
    return not method.startswith(("list_", "get_"))


class Cloud(Protocol):
    # Reads: one list call per resource kind, paginated.
    def list_compute_services(self) -> list[records.ComputeService]: ...

    def list_host_capacities(self) -> list[records.HostCapacity]: ...

    def list_servers(self, host: str | None = None
                     ) -> list[records.Server]: ...

    def list_servers_page(self, limit: int, marker: str | None = None
                          ) -> tuple[list[records.Server], str | None]: ...

    def get_server(self, server_id: str) -> records.Server: ...

    def list_servers_changed(self, since: str) -> list[records.Server]: ...

    def list_migrations(self, server_id: str | None = None,
                        migration_type: str | None = None
                        ) -> list[records.Migration]: ...

    def list_server_groups(self) -> list[records.ServerGroup]: ...

    def list_aggregates(self) -> list[records.Aggregate]: ...

    # The image service: ``CloudNotFound`` for an image deleted since,
    # ``CloudServiceMissing`` when the cloud has none.
    def get_image(self, image_id: str) -> records.Image: ...

    def list_ports(self, device_id: str) -> list[records.Port]: ...

    def list_ports_of(self, device_ids: list[str]
                      ) -> list[records.Port]: ...

    def list_network_agents(self) -> list[records.NetworkAgent]: ...

    def list_floating_ips(self, port_ids: list[str] | None = None
                          ) -> list[records.FloatingIp]: ...

    # Fencing and host switches.
    def force_down_service(self, service_id: str, host: str,
                           forced_down: bool = True) -> str | None: ...

    def disable_service(self, service_id: str, host: str,
                        reason: str) -> str | None: ...

    def enable_service(self, service_id: str, host: str) -> str | None: ...

    # Moves and state.
    def evacuate_server(self, server_id: str, host: str | None = None,
                        microversion: str = "2.94") -> str | None: ...

    def migrate_server(self, server_id: str,
                       host: str | None = None) -> str | None: ...

    def confirm_resize(self, server_id: str) -> str | None: ...

    def live_migrate_server(self, server_id: str,
                            host: str | None = None) -> str | None: ...

    def reset_server_state(self, server_id: str, state: str) -> str | None: ...

    def start_server(self, server_id: str) -> str | None: ...

    def stop_server(self, server_id: str) -> str | None: ...

    def pause_server(self, server_id: str) -> str | None: ...

    def suspend_server(self, server_id: str) -> str | None: ...

    def resume_server(self, server_id: str) -> str | None: ...

    # Floating IPs.
    def associate_floating_ip(self, floating_ip_id: str,
                              port_id: str) -> str | None: ...

    def disassociate_floating_ip(self, floating_ip_id: str) -> str | None: ...


@runtime_checkable
class Retrying(Protocol):
    """A cloud whose calls' retries can be chosen per client
    (``OpenStackCloud``): the monitor polls without retries."""

    def with_retries(self, retries: int) -> Cloud: ...


def without_retries(cloud: Cloud) -> Cloud:
    """``cloud`` with no call retried, when it can say so, else itself."""
    if isinstance(cloud, Retrying):
        return cloud.with_retries(0)
    return cloud
