"""What the commands share: the client, and how a value is shown."""

import argparse
from collections.abc import Iterable
from collections.abc import Sequence
import json
from typing import Any

from cliff import columns
from osc_lib.command import command

from vmotiond.osc import client


class JsonColumn(columns.FormattableColumn[Any]):
    """A JSON value (a step's context, a host's monitor detail): as it is
    in ``-f json|yaml``, compact JSON in a table."""

    def human_readable(self) -> str:
        if self._value is None:
            return ""
        return json.dumps(self._value, sort_keys=True)

    def machine_readable(self) -> Any:
        return self._value


def client_of(cmd: command.Command, what: str) -> client.Client:
    """The plugin's client, checked for the version ``what`` needs."""
    # OSC sets the attribute on its ClientManager when it loads the plugin
    # (API_NAME); its type does not know it. The version is checked
    # before the client (and the login) is made.
    manager: Any = cmd.app.client_manager
    client.require(manager._api_version["vmotiond"], client.MIN_VERSION,
                   what)
    found: client.Client = manager.vmotiond
    return found


def fields_of(items: Sequence[dict[str, Any]], fields: Sequence[str]
              ) -> tuple[str, ...]:
    """The fields of ``fields`` the API answered (a field of a later
    microversion is left out, not shown empty), then any field of a newer
    API the plugin does not know yet (by name), so that every field is
    shown."""
    if not items:
        return tuple(fields)
    answered = {k for item in items for k in item}
    extra = sorted(answered - set(fields))
    return tuple(f for f in fields if f in answered) + tuple(extra)


def row(item: dict[str, Any], fields: Sequence[str],
        json_fields: Sequence[str] = ()) -> tuple[Any, ...]:
    """The values of ``fields`` (None where the API has none)."""
    return tuple(JsonColumn(item.get(f)) if f in json_fields
                 else item.get(f) for f in fields)


def add_paging(parser: Any, sort_keys: Sequence[str]) -> None:
    parser.add_argument(
        "--limit", metavar="<num>", type=int,
        help="Show one page of at most <num> (default: every page).")
    parser.add_argument(
        "--marker", metavar="<uuid>",
        help="Start after this item (its UUID or integer id).")
    parser.add_argument(
        "--sort", metavar="<key>[:<direction>]",
        help="Comma-separated sort keys, each with an optional direction "
             "(:asc or :desc, default desc); keys: %s. Default "
             "created_at:desc." % ", ".join(sort_keys))


def paging_query(parsed_args: Any) -> list[tuple[str, str]]:
    query = client.sort_query(parsed_args.sort)
    if parsed_args.limit is not None:
        query.append(("limit", str(parsed_args.limit)))
    if parsed_args.marker:
        query.append(("marker", parsed_args.marker))
    return query


def add_identifier(parser: argparse.ArgumentParser, name: str,
                   help_text: str) -> None:
    """The one positional argument naming the resource."""
    parser.add_argument(name, metavar="<%s>" % name, help=help_text)


class ShowOne(command.ShowOne):
    """``GET {path}/{identifier}``: every field of one resource."""

    what = ""              # the command, as errors name it
    identifier = ""        # its positional argument
    identifier_help = ""
    path = ""              # "/hosts"
    key = ""               # the answer's key: "host"
    fields: Sequence[str] = ()
    json_fields: Sequence[str] = ()

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        add_identifier(parser, self.identifier, self.identifier_help)
        return parser

    def take_action(self, parsed_args: argparse.Namespace
                    ) -> tuple[Sequence[str], Iterable[Any]]:
        api = client_of(self, self.what)
        item = api.one("%s/%s" % (self.path, api.quote(
            getattr(parsed_args, self.identifier))), self.key)
        fields = fields_of([item], self.fields)
        return fields, row(item, fields, self.json_fields)
