"""The cloud facade's interface, which the monitor and engine code against.

``vmotiond.cloud.openstack.OpenStackCloud`` implements it with
openstacksdk; tests may use any object with these methods. Every method
raises only the ``vmotiond.exception.Cloud*`` errors.
"""

from typing import Protocol

from vmotiond.cloud import records


class Cloud(Protocol):
    # Reads: one list call per resource kind, paginated.
    def list_compute_services(self) -> list[records.ComputeService]: ...

    def list_host_capacities(self) -> list[records.HostCapacity]: ...

    def list_servers(self, host: str | None = None
                     ) -> list[records.Server]: ...

    def get_server(self, server_id: str) -> records.Server: ...

    def list_migrations(self, server_id: str | None = None,
                        migration_type: str | None = None
                        ) -> list[records.Migration]: ...

    def list_ports(self, device_id: str) -> list[records.Port]: ...

    def list_floating_ips(self, port_ids: list[str] | None = None
                          ) -> list[records.FloatingIp]: ...

    # Fencing and host switches.
    def force_down_service(self, service_id: str, host: str,
                           forced_down: bool = True) -> None: ...

    def disable_service(self, service_id: str, host: str,
                        reason: str) -> None: ...

    def enable_service(self, service_id: str, host: str) -> None: ...

    # Moves and state.
    def evacuate_server(self, server_id: str, host: str | None = None,
                        microversion: str = "2.94") -> None: ...

    def migrate_server(self, server_id: str,
                       host: str | None = None) -> None: ...

    def confirm_resize(self, server_id: str) -> None: ...

    def live_migrate_server(self, server_id: str,
                            host: str | None = None) -> None: ...

    def reset_server_state(self, server_id: str, state: str) -> None: ...

    def start_server(self, server_id: str) -> None: ...

    def stop_server(self, server_id: str) -> None: ...

    # Floating IPs.
    def associate_floating_ip(self, floating_ip_id: str,
                              port_id: str) -> None: ...

    def disassociate_floating_ip(self, floating_ip_id: str) -> None: ...
