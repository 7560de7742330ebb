"""``vmotiond-manage task list|show|redo|reset|delete`` (the vmoves)."""

from typing import Any

from oslo_config import cfg

from vmotiond import constants
from vmotiond.cmd.manage import common
from vmotiond.engine.commands import views


def _list(conf: cfg.ConfigOpts) -> int:
    args = conf.category
    db = common.database(conf)
    rows = db.vmove_list(notification_uuid=args.notification,
                         instance_uuid=args.instance, host=args.on_host,
                         status=args.status or None, sort_key="updated_at",
                         limit=args.limit)
    types: dict[str, str] = {}
    for uuid in {r.notification_uuid for r in rows}:
        types[uuid] = db.notification_get(uuid).type
    items = [{**views.vmove(r), "notification_type":
              types.get(r.notification_uuid)} for r in rows]
    if common.fmt(conf) == "json":
        common.print_json(items)
        return 0
    print(common.table(
        [(i["updated_at"], i["uuid"], i["notification_type"],
          i["instance_name"] or i["instance_uuid"], i["type"],
          "%s -> %s" % (i["source_host"] or "-", i["dest_host"] or "-"),
          i["status"], i["current_step"], i["attempts"], i["message"])
         for i in items],
        ("updated", "vmove", "notification", "instance", "move", "hosts",
         "status", "step", "tries", "result")))
    return 0


def _show(conf: cfg.ConfigOpts) -> int:
    db = common.database(conf)
    row = db.vmove_get(conf.category.vmove)
    note = db.notification_get(row.notification_uuid)
    data = {**views.vmove(row), "notification_type": note.type,
            "steps": [views.step(s) for s in db.step_list(row.uuid)]}
    if common.fmt(conf) == "json":
        common.print_json(data)
        return 0
    common.print_mapping(data, (
        "uuid", "notification_uuid", "notification_type", "instance_uuid",
        "instance_name", "type", "status", "source_host", "dest_host",
        "current_step", "attempts", "priority", "start_time", "end_time",
        "message"))
    print()
    print(common.table(
        [(s["name"], s["attempt"], s["status"], s["started_at"],
          s["ended_at"], s["result"], _compact(s["context"]),
          " ".join(s["request_ids"]))
         for s in data["steps"]],
        ("step", "try", "status", "started", "ended", "result",
         "context", "requests")))
    return 0


def _compact(context: Any) -> str | None:
    if not context:
        return None
    return ", ".join("%s=%s" % (k, v) for k, v in sorted(context.items()))


def _control(method: str, done: str) -> Any:
    def run(conf: cfg.ConfigOpts) -> int:
        out = common.ask(conf, method, vmove=conf.category.vmove)
        if common.fmt(conf) == "json":
            common.print_json(out)
        else:
            print("vmove %s %s (now %s)." % (out["uuid"], done,
                                             out["status"]))
        return 0
    return run


def add_parsers(subparsers: Any) -> None:
    out = common.output_parser()
    parser = subparsers.add_parser(
        "task", help="Tasks: the vmoves of every notification.")
    actions = parser.add_subparsers(dest="action", required=True)
    lister = actions.add_parser(
        "list", parents=[out],
        help="vmoves, most recently updated first: time, status, current "
             "step, attempts, result.")
    lister.add_argument("--status", action="append",
                        choices=constants.VMOVE_STATUSES,
                        help="only these statuses (repeatable)")
    lister.add_argument("--notification", metavar="UUID")
    lister.add_argument("--instance", metavar="UUID")
    lister.add_argument("--host", dest="on_host",
                        help="source or destination host")
    lister.add_argument("--limit", type=int, default=50)
    lister.set_defaults(func=_list)
    show = actions.add_parser(
        "show", parents=[out],
        help="One vmove with every step: name, times, result, context, "
             "request ids.")
    show.add_argument("vmove", metavar="UUID")
    show.set_defaults(func=_show)
    for name, method, done, text in (
            ("redo", "task_redo", "redone",
             "Run a failed vmove again (from its failed step)."),
            ("reset", "task_reset", "reset to pending",
             "Put a stuck (ongoing, no engine on it) or failed vmove back "
             "to pending; refused while it runs."),
            ("delete", "task_delete", "deleted",
             "Soft-delete a finished vmove.")):
        action = actions.add_parser(name, parents=[out], help=text)
        action.add_argument("vmove", metavar="UUID")
        action.set_defaults(func=_control(method, done))
