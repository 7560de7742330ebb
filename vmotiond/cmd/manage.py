"""``vmotiond-manage``: the operator's command line."""

import sys

from oslo_config import cfg

from vmotiond import config
from vmotiond.cmd import _errors
from vmotiond.db import api as db_api
from vmotiond.db import migration


def _database(conf: cfg.ConfigOpts) -> db_api.Database:
    # A command line fails fast rather than waiting for the database.
    database = db_api.Database(conf, max_retries=1, retry_interval=0)
    database.check_connection()
    return database


def _db_sync(conf: cfg.ConfigOpts) -> int:
    database = _database(conf)
    database.sync()
    print("Database schema is at revision %s."
          % migration.current_revision(database.engine))
    return 0


def _db_version(conf: cfg.ConfigOpts) -> int:
    database = _database(conf)
    current = migration.current_revision(database.engine)
    print(current or "empty (run 'vmotiond-manage db sync')")
    return 0


def _add_db_parsers(subparsers: object) -> None:
    db = subparsers.add_parser(  # type: ignore[attr-defined]
        "db", help="Database schema commands.")
    actions = db.add_subparsers(dest="action", required=True)
    actions.add_parser(
        "sync", help="Create or upgrade the schema; safe to run again."
    ).set_defaults(func=_db_sync)
    actions.add_parser(
        "version", help="Print the schema revision."
    ).set_defaults(func=_db_version)


def _add_parsers(subparsers: object) -> None:
    _add_db_parsers(subparsers)


COMMAND_OPT = cfg.SubCommandOpt(
    "category", title="Commands", help="Available categories",
    handler=_add_parsers)


@_errors.one_line_errors
def main() -> int:
    conf = cfg.ConfigOpts()
    conf.register_cli_opt(COMMAND_OPT)
    config.load(sys.argv[1:], conf, setup_logging=True)
    result: int = conf.category.func(conf)
    return result
