"""``vmotiond-manage instance migrate|reset-state``."""

from typing import Any

from oslo_config import cfg

from vmotiond.cmd.manage import common
from vmotiond.cmd.manage import progress
from vmotiond.engine.deciding import names


def _migrate(conf: cfg.ConfigOpts) -> int:
    args = conf.category
    destination = names.LET_NOVA_CHOOSE if args.nova_chooses else args.to
    note = common.ask(conf, "instance_migrate", instances=args.instances,
                      destination=destination, mode=args.mode)
    return progress.started(conf, note)


def _reset_state(conf: cfg.ConfigOpts) -> int:
    args = conf.category
    note = common.ask(conf, "instance_reset_state",
                      instances=args.instances, state=args.state)
    return progress.started(conf, note)


def add_parsers(subparsers: Any) -> None:
    parents = [common.output_parser(), common.wait_parser()]
    parser = subparsers.add_parser("instance", help="Instances.")
    actions = parser.add_subparsers(dest="action", required=True)
    migrate = actions.add_parser(
        "migrate", parents=parents,
        help="Move one instance or a batch to a host, or let Nova or "
             "vmotiond choose; instances Nova would refuse are ignored "
             "with the reason.")
    migrate.add_argument("instances", nargs="+", metavar="UUID")
    where = migrate.add_mutually_exclusive_group()
    where.add_argument("--to", metavar="HOST",
                       help="target host (checked: up, enabled or standby, "
                            "zone, capacity)")
    where.add_argument("--nova-chooses", dest="nova_chooses",
                       action="store_true",
                       help="let Nova's scheduler choose the target")
    kind = migrate.add_mutually_exclusive_group()
    kind.add_argument("--live", dest="mode", action="store_const",
                      const="live", help="live migration")
    kind.add_argument("--cold", dest="mode", action="store_const",
                      const="cold", help="cold migration and confirm")
    migrate.set_defaults(func=_migrate, mode="auto")
    reset = actions.add_parser(
        "reset-state", parents=parents,
        help="Reset one instance or a batch to active or error (recorded).")
    reset.add_argument("instances", nargs="+", metavar="UUID")
    reset.add_argument("--state", choices=("active", "error"),
                       required=True)
    reset.set_defaults(func=_reset_state)
