"""``vmotiond-manage``: the operator's command line.

Categories (``vmotiond-manage CATEGORY ACTION --help`` for each):

- ``db sync|version``: the schema;
- ``host sync|set|plan|drain|move-back``: hosts, roles and switches, the
  what-if plan of an evacuation, drains and move-backs;
- ``instance migrate|reset-state``: custom (batch) migrations and resets;
- ``task list|show|redo|reset|delete``: the vmoves and their steps;
- ``notification abort``;
- ``capacity check``: whether the loss of each host could be absorbed;
- ``ha pause|resume|status``: the HA pause, global or per aggregate
  (written to the database directly: it must work with the engine down).

Reads (sync, plan, dry-runs, task list/show, capacity check) use the
database and the cloud directly. Writes ask the engine over RPC; when no
engine answers the command fails with one line and changes nothing.
"""

import logging as std_logging
import sys
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging

from vmotiond import config
from vmotiond.cmd import _errors
from vmotiond.cmd.manage import capacity
from vmotiond.cmd.manage import db
from vmotiond.cmd.manage import ha
from vmotiond.cmd.manage import host
from vmotiond.cmd.manage import instance
from vmotiond.cmd.manage import notification
from vmotiond.cmd.manage import task

__all__ = ["COMMAND_OPT", "main", "run"]

_CATEGORIES = (db, host, instance, task, notification, capacity, ha)


def _add_parsers(subparsers: Any) -> None:
    for module in _CATEGORIES:
        module.add_parsers(subparsers)


COMMAND_OPT = cfg.SubCommandOpt(
    "category", title="Commands", help="Available categories",
    handler=_add_parsers)


def run(argv: list[str], conf: cfg.ConfigOpts | None = None) -> int:
    """Parse ``argv`` and run the command (tests call this)."""
    conf = conf if conf is not None else cfg.ConfigOpts()
    conf.register_cli_opt(COMMAND_OPT)
    # Output (tables, JSON) owns stdout; logs go to stderr, warnings and
    # errors only unless --debug.
    logging.register_options(conf)
    conf.set_default("use_stderr", True)
    config.load(argv, conf, setup_logging=True)
    if not conf.debug:
        std_logging.getLogger().setLevel(std_logging.WARNING)
    result: int = conf.category.func(conf)
    return result


@_errors.one_line_errors
def main() -> int:
    return run(sys.argv[1:])
