"""What the commands share: connections, the engine client, output."""

import argparse
from collections.abc import Callable
from collections.abc import Sequence
import json
from typing import Any

from oslo_config import cfg

from vmotiond import engine_client
from vmotiond.cloud import openstack as os_cloud
from vmotiond.db import api as db_api

FORMATS = ("table", "json")

# Tests replace these factories (an in-process engine, a fake transport).
def _make_client(conf: cfg.ConfigOpts) -> engine_client.EngineClient:
    return engine_client.EngineClient(conf)


def _make_cloud(conf: cfg.ConfigOpts) -> Any:
    return os_cloud.OpenStackCloud.from_config(conf)


client_factory: Callable[[cfg.ConfigOpts],
                         engine_client.EngineClient] = _make_client
cloud_factory: Callable[[cfg.ConfigOpts], Any] = _make_cloud


def database(conf: cfg.ConfigOpts,
             check_schema: bool = True) -> db_api.Database:
    """The database, failing fast rather than waiting for it."""
    db = db_api.Database(conf, max_retries=1, retry_interval=0)
    db.check_connection()
    if check_schema:
        db.check_schema()
    return db


def cloud(conf: cfg.ConfigOpts) -> Any:
    return cloud_factory(conf)


def ask(conf: cfg.ConfigOpts, method: str, **kwargs: Any) -> Any:
    """Ask the engine (ping first); refusals raise their exception."""
    client = client_factory(conf)
    try:
        return client.call(method, **kwargs)
    finally:
        client.close()


def output_parser() -> argparse.ArgumentParser:
    """Parent parser of every command that prints records."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--format", dest="output_format", choices=FORMATS,
                        default="table",
                        help="table for people (default), json for scripts")
    return parent


def wait_parser() -> argparse.ArgumentParser:
    """Parent parser of the commands that start a notification."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--wait", action="store_true",
                        help="follow the vmoves until the notification "
                             "ends; exit 1 unless it finished")
    parent.add_argument("--wait-timeout", type=float, default=0.0,
                        help="give up following after this many seconds "
                             "(0: no limit)")
    return parent


def fmt(conf: cfg.ConfigOpts) -> str:
    return str(getattr(conf.category, "output_format", "table"))


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=True, default=str))


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """A plain text table; None prints as '-'."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths,
                                                   strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for row in cells:
        lines.append("  ".join(v.ljust(w) for v, w in zip(
            row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "on" if value else "off"
    text = str(value).replace("\n", " ")
    return text if len(text) <= 80 else text[:77] + "..."


def print_mapping(data: dict[str, Any], keys: Sequence[str]) -> None:
    """Print chosen fields of a record as a two-column table."""
    print(table([(k, data.get(k)) for k in keys], ("field", "value")))
