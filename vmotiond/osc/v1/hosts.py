"""``openstack vmotiond host list|show``: ``GET /v1/hosts[/{name}]``."""

import argparse
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

from osc_lib.command import command

from vmotiond.osc import client
from vmotiond.osc.v1 import common

FIELDS = (
    "name", "uuid", "role", "auto_evacuate", "maintenance", "monitor_state",
    "monitor_state_since", "monitor_detail", "management_ip",
    "availability_zone", "service_id", "hypervisor_id", "service_state",
    "service_status", "forced_down", "disabled_reason", "last_heartbeat",
    "vcpus_total", "vcpus_used", "memory_mb_total", "memory_mb_used",
    "disk_gb_total", "disk_gb_used", "running_instances", "instances_total",
    "instances_running", "networks", "synced_at", "created_at", "updated_at")
SHORT = ("name", "role", "monitor_state", "availability_zone",
         "service_state", "service_status", "maintenance", "auto_evacuate",
         "running_instances")
JSON_FIELDS = ("monitor_detail", "networks")
ROLES = ("normal", "standby")
STATES = ("up", "suspect", "down", "fenced", "recovering", "recovered",
          "maintenance", "disabled")


class ListHost(command.Lister):
    """List the compute hosts vmotiond knows, by name."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "--role", metavar="<role>", action="append", choices=ROLES,
            help="Only hosts of this role (%s); repeat for several."
                 % ", ".join(ROLES))
        parser.add_argument(
            "--monitor-state", metavar="<state>", action="append",
            choices=STATES,
            help="Only hosts in this monitor state (%s); repeat for "
                 "several." % ", ".join(STATES))
        parser.add_argument(
            "--availability-zone", metavar="<zone>",
            help="Only hosts of this availability zone.")
        parser.add_argument(
            "--long", action="store_true", default=False,
            help="Every field of the hosts.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace
                    ) -> tuple[Sequence[str], Iterable[Any]]:
        api = common.client_of(self, "vmotiond host list")
        query = client.filters(
            role=parsed_args.role, monitor_state=parsed_args.monitor_state,
            availability_zone=parsed_args.availability_zone)
        hosts = api.list("/hosts", "hosts", query)
        fields = common.fields_of(hosts, FIELDS) if parsed_args.long \
            else SHORT
        return fields, [common.row(h, fields, JSON_FIELDS) for h in hosts]


class ShowHost(common.ShowOne):
    """Show one compute host."""

    what = "vmotiond host show"
    identifier = "host"
    identifier_help = "The host's name."
    path = "/hosts"
    key = "host"
    fields = FIELDS
    json_fields = JSON_FIELDS
