"""``vmotiond-manage notification abort``."""

from typing import Any

from oslo_config import cfg

from vmotiond.cmd.manage import common


def _abort(conf: cfg.ConfigOpts) -> int:
    note = common.ask(conf, "notification_abort",
                      notification=conf.category.notification)
    if common.fmt(conf) == "json":
        common.print_json(note)
    else:
        print("Notification %s aborted: the moves in flight finish, the "
              "others become ignored." % note["uuid"])
    return 0


def add_parsers(subparsers: Any) -> None:
    parser = subparsers.add_parser("notification", help="Notifications.")
    actions = parser.add_subparsers(dest="action", required=True)
    abort = actions.add_parser(
        "abort", parents=[common.output_parser()],
        help="Stop a running notification once its moves in flight end.")
    abort.add_argument("notification", metavar="UUID")
    abort.set_defaults(func=_abort)
