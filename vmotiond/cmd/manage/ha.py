"""``vmotiond-manage ha pause|resume|status``: the HA pause switch.

Written straight to the database (``ha_pauses``), not through the
engine: a pause is what an operator sets before a planned power-off,
when the engine may be the next thing to go down. Every monitor reads the
pauses at each cycle.
"""

import sys
from typing import Any

from oslo_config import cfg

from vmotiond import exception
from vmotiond.cmd.manage import common
from vmotiond.db import pauses


def _scope(conf: cfg.ConfigOpts) -> str:
    return conf.category.aggregate or pauses.GLOBAL


def _check_aggregate(conf: cfg.ConfigOpts, name: str) -> None:
    """Refuse a name Nova does not know (a typo would pause nothing);
    when Nova does not answer, warn and go on."""
    try:
        known = {a.name for a in common.cloud(conf).list_aggregates()}
    except exception.CloudError as exc:
        print("Warning: the aggregates cannot be read (%s); %s is not "
              "checked." % (exc, name), file=sys.stderr)
        return
    if name not in known:
        raise exception.InvalidInput(
            reason="no host aggregate %s in Nova (known: %s)"
            % (name, ", ".join(sorted(known)) or "none"))


def _what(scope: str) -> str:
    return ("every host" if scope == pauses.GLOBAL
            else "the hosts of aggregate %s" % scope)


def _pause(conf: cfg.ConfigOpts) -> int:
    scope = _scope(conf)
    if scope != pauses.GLOBAL:
        _check_aggregate(conf, scope)
    done = common.database(conf).ha_pause(scope, conf.category.reason)
    _report(conf, scope, done, "HA paused over %s: failures are detected "
            "and recorded, nothing is fenced or moved." % _what(scope),
            "HA was paused over %s already." % _what(scope))
    return 0


def _resume(conf: cfg.ConfigOpts) -> int:
    scope = _scope(conf)
    done = common.database(conf).ha_resume(scope)
    _report(conf, scope, done, "HA resumed over %s: hosts still down are "
            "recovered." % _what(scope),
            "HA was not paused over %s." % _what(scope))
    return 0


def _report(conf: cfg.ConfigOpts, scope: str, done: bool, changed: str,
            unchanged: str) -> None:
    if common.fmt(conf) == "json":
        common.print_json({"scope": scope, "changed": done})
    else:
        print(changed if done else unchanged)


def _status(conf: cfg.ConfigOpts) -> int:
    rows = [{"scope": ("global" if r.scope == pauses.GLOBAL
                       else "aggregate"),
             "aggregate": None if r.scope == pauses.GLOBAL else r.scope,
             "reason": r.reason, "paused_at": r.created_at.isoformat()}
            for r in common.database(conf).ha_pauses()]
    if common.fmt(conf) == "json":
        common.print_json({"paused": rows})
    elif not rows:
        print("HA is active everywhere: nothing is paused.")
    else:
        print(common.table(
            [(r["scope"], r["aggregate"] or "-", r["paused_at"],
              r["reason"] or "") for r in rows],
            ("scope", "aggregate", "paused at", "reason")))
    return 0


def add_parsers(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ha", help="Pause or resume HA, globally or per host aggregate.")
    actions = parser.add_subparsers(dest="action", required=True)
    pause = actions.add_parser(
        "pause", parents=[common.output_parser()],
        help="Detect and record failures but fence and move nothing.")
    pause.add_argument("--aggregate", metavar="NAME",
                       help="pause only the hosts of this aggregate")
    pause.add_argument("--reason", help="why, shown by ha status")
    pause.set_defaults(func=_pause)
    resume = actions.add_parser(
        "resume", parents=[common.output_parser()],
        help="Recover again; hosts still down are recovered.")
    resume.add_argument("--aggregate", metavar="NAME",
                        help="resume only this aggregate's pause")
    resume.set_defaults(func=_resume)
    status = actions.add_parser("status", parents=[common.output_parser()],
                                help="The pauses in force.")
    status.set_defaults(func=_status)
