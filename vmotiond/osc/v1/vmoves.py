"""``openstack vmotiond vmove list|show`` and ``vmove step list``:
``GET /v1/vmoves[/{id}[/steps]]``."""

import argparse
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

from osc_lib.command import command

from vmotiond.osc import client
from vmotiond.osc.v1 import common

FIELDS = (
    "uuid", "id", "notification_uuid", "instance_uuid", "instance_name",
    "source_host", "dest_host", "type", "status", "priority", "attempts",
    "current_step", "message", "start_time", "end_time", "created_at",
    "updated_at", "deleted_at", "deleted")
SHORT = ("uuid", "notification_uuid", "instance_uuid", "instance_name",
         "source_host", "dest_host", "type", "status", "start_time",
         "end_time")
SORT_KEYS = ("created_at", "updated_at", "start_time", "end_time", "type",
             "status", "instance_uuid", "instance_name", "source_host",
             "dest_host", "priority")
TYPES = ("evacuation", "migration", "live_migration", "reset_state")
STATUSES = ("pending", "ongoing", "succeeded", "failed", "ignored")
STEP_FIELDS = ("id", "vmove_uuid", "name", "status", "attempt",
               "started_at", "ended_at", "result", "context")
STEP_JSON = ("context",)


class ListVMove(command.Lister):
    """List the vmoves of every notification, newest first."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--notification", metavar="<uuid>",
                            help="Only the vmoves of this notification.")
        parser.add_argument("--instance", metavar="<uuid>",
                            help="Only the vmoves of this instance.")
        parser.add_argument("--host", metavar="<host>",
                            help="Only vmoves from or to this host.")
        parser.add_argument(
            "--type", metavar="<type>", choices=TYPES,
            help="Only vmoves of this type (%s)." % ", ".join(TYPES))
        parser.add_argument(
            "--status", metavar="<status>", action="append",
            choices=STATUSES,
            help="Only vmoves in this status (%s); repeat for several."
                 % ", ".join(STATUSES))
        parser.add_argument(
            "--since", metavar="<time>",
            help="Only vmoves created at or after this ISO 8601 time.")
        parser.add_argument(
            "--until", metavar="<time>",
            help="Only vmoves created before this ISO 8601 time.")
        common.add_paging(parser, SORT_KEYS)
        parser.add_argument("--long", action="store_true", default=False,
                            help="Every field of the vmoves.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace
                    ) -> tuple[Sequence[str], Iterable[Any]]:
        api = common.client_of(self, "vmotiond vmove list")
        query = client.filters(
            notification_uuid=parsed_args.notification,
            instance_uuid=parsed_args.instance, host=parsed_args.host,
            type=parsed_args.type, status=parsed_args.status,
            since=parsed_args.since, until=parsed_args.until)
        query += common.paging_query(parsed_args)
        moves = api.list("/vmoves", "vmoves", query,
                         follow=parsed_args.limit is None)
        fields = common.fields_of(moves, FIELDS) if parsed_args.long \
            else SHORT
        return fields, [common.row(m, fields) for m in moves]


class ShowVMove(common.ShowOne):
    """Show one vmove."""

    what = "vmotiond vmove show"
    identifier = "vmove"
    identifier_help = "The vmove's UUID or integer id."
    path = "/vmoves"
    key = "vmove"
    fields = FIELDS


class ListStep(command.Lister):
    """List the steps of one vmove, in the order run."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        common.add_identifier(parser, "vmove",
                              "The vmove's UUID or integer id.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace
                    ) -> tuple[Sequence[str], Iterable[Any]]:
        api = common.client_of(self, "vmotiond vmove step list")
        steps = api.list("/vmoves/%s/steps" % api.quote(parsed_args.vmove),
                         "steps")
        fields = common.fields_of(steps, STEP_FIELDS)
        return fields, [common.row(s, fields, STEP_JSON) for s in steps]
