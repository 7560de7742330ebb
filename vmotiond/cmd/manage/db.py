"""``vmotiond-manage db sync|version``."""

from typing import Any

from oslo_config import cfg

from vmotiond.cmd.manage import common
from vmotiond.db import migration


def _sync(conf: cfg.ConfigOpts) -> int:
    database = common.database(conf, check_schema=False)
    database.sync()
    print("Database schema is at revision %s."
          % migration.current_revision(database.engine))
    return 0


def _version(conf: cfg.ConfigOpts) -> int:
    database = common.database(conf, check_schema=False)
    current = migration.current_revision(database.engine)
    print(current or "empty (run 'vmotiond-manage db sync')")
    return 0


def add_parsers(subparsers: Any) -> None:
    db = subparsers.add_parser("db", help="Database schema commands.")
    actions = db.add_subparsers(dest="action", required=True)
    actions.add_parser(
        "sync", help="Create or upgrade the schema; safe to run again."
    ).set_defaults(func=_sync)
    actions.add_parser(
        "version", help="Print the schema revision."
    ).set_defaults(func=_version)
