"""``vmotiond-manage host sync|set|plan|drain|move-back|release|
confirm-fenced``."""

import argparse
from typing import Any

from oslo_config import cfg

from vmotiond import exception
from vmotiond.cmd.manage import common
from vmotiond.cmd.manage import progress
from vmotiond.engine.deciding.records import Plan
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.workflows import move_back
from vmotiond.engine.workflows import recovery
from vmotiond.engine.workflows import release
from vmotiond.engine.workflows import workflow
from vmotiond.monitor import inventory
from vmotiond.monitor import store


def _on_off(value: str | None) -> bool | None:
    return None if value is None else value == "on"


def _sync(conf: cfg.ConfigOpts) -> int:
    counts = inventory.sync(common.cloud(conf),
                            store.DbStore(common.database(conf)))
    if common.fmt(conf) == "json":
        common.print_json(counts)
    else:
        print("Hosts synced: %(created)d created, %(updated)d updated, "
              "%(deleted)d deleted." % counts)
    return 0


def _set(conf: cfg.ConfigOpts) -> int:
    args = conf.category
    if args.role is None and args.auto_evacuate is None and \
            args.maintenance is None:
        raise exception.InvalidInput(reason="nothing to set: give --role, "
                                     "--auto-evacuate or --maintenance")
    out = common.ask(conf, "host_set", host=args.host_name, role=args.role,
                     auto_evacuate=_on_off(args.auto_evacuate),
                     maintenance=_on_off(args.maintenance))
    if common.fmt(conf) == "json":
        common.print_json(out)
        return 0
    common.print_mapping(out, ("host", "role", "auto_evacuate",
                               "maintenance"))
    for change in out["changes"] or ["nothing changed"]:
        print("- %s" % change)
    return 0


def plan_view(plan: Plan, roles: dict[str, str]) -> dict[str, Any]:
    """A plan as plain data: moves in order, the ignored, per target."""
    return {
        "complete": plan.complete,
        "moves": [{"order": i + 1, "instance_uuid": m.server.id,
                   "instance_name": m.server.name, "status": m.server.status,
                   "priority": m.priority, "type": m.move_type,
                   "source_host": m.source_host, "dest_host": m.dest_host,
                   "dest_role": roles.get(m.dest_host or "", None),
                   "steps": list(m.steps), "note": m.note}
                  for i, m in enumerate(plan.moves)],
        "ignored": [{"instance_uuid": i.server.id,
                     "instance_name": i.server.name,
                     "status": i.server.status, "reason": i.reason,
                     "would_not_fit": i in plan.unplaced,
                     "message": i.message} for i in plan.ignored],
        "by_target": {str(k): v for k, v in plan.by_target().items()},
        "notes": list(plan.notes)}


def print_plan(view: dict[str, Any]) -> None:
    if view["moves"]:
        print(common.table(
            [(m["order"], m["priority"], m["instance_name"], m["status"],
              m["type"], m["dest_host"] or "(Nova chooses)",
              m["dest_role"]) for m in view["moves"]],
            ("#", "prio", "instance", "status", "move", "target", "role")))
    else:
        print("No instance would move.")
    noted = [m for m in view["moves"] if m["note"]]
    if noted:
        print("\nMoved, but (%d):" % len(noted))
        print(common.table([(m["instance_name"], m["note"])
                            for m in noted], ("instance", "note")))
    unfit = [i for i in view["ignored"] if i["would_not_fit"]]
    other = [i for i in view["ignored"] if not i["would_not_fit"]]
    if unfit:
        print("\nWould not fit anywhere (%d):" % len(unfit))
        print(common.table([(i["instance_name"], i["message"])
                            for i in unfit], ("instance", "why")))
    if other:
        print("\nWould not move (%d):" % len(other))
        print(common.table([(i["instance_name"], i["status"], i["message"])
                            for i in other], ("instance", "status", "why")))
    if view["by_target"]:
        print("\nPer target: " + ", ".join(
            "%s %d" % (k, v) for k, v in sorted(view["by_target"].items())))
    for note in view["notes"]:
        print("\nNote: %s" % note)


def _plan(conf: cfg.ConfigOpts) -> int:
    """What an evacuation of HOST would do now; changes nothing."""
    db = common.database(conf)
    cloud = common.cloud(conf)
    host = conf.category.host_name
    if workflow.service_of(cloud, host) is None:
        raise exception.NotFound(kind="Compute host", ident=host)
    plan = recovery.plan_host(db, cloud, PlanOptions.from_conf(conf), host)
    roles = {h.name: h.role for h in db.host_list()}
    view = {"host": host, **plan_view(plan, roles)}
    if common.fmt(conf) == "json":
        common.print_json(view)
        return 0
    print("If %s failed now, its evacuation would do (in this order):\n"
          % host)
    print_plan(view)
    return 0


def _drain(conf: cfg.ConfigOpts) -> int:
    note = common.ask(conf, "host_drain", host=conf.category.host_name)
    return progress.started(conf, note)


def _move_back(conf: cfg.ConfigOpts) -> int:
    host = conf.category.host_name
    if conf.category.dry_run:
        return _move_back_preview(conf, host)
    note = common.ask(conf, "host_move_back", host=host)
    return progress.started(conf, note)


def _release(conf: cfg.ConfigOpts) -> int:
    note = common.ask(conf, "host_release", host=conf.category.host_name)
    return progress.started(conf, note)


def _confirm_fenced(conf: cfg.ConfigOpts) -> int:
    note = common.ask(conf, "host_confirm_fenced",
                      host=conf.category.host_name)
    return progress.started(conf, note)


def _move_back_preview(conf: cfg.ConfigOpts, host: str) -> int:
    db = common.database(conf)
    cloud = common.cloud(conf)
    service = workflow.service_of(cloud, host)
    if service is None:
        raise exception.NotFound(kind="Compute host", ident=host)
    evacuation = move_back.last_evacuation(db, host)
    if evacuation is None:
        raise exception.InvalidInput(
            reason="host %s has no ended evacuation that moved an instance; "
                   "nothing to move back" % host)
    plan = move_back.build_plan(db, cloud, PlanOptions.from_conf(conf),
                                host, evacuation.uuid)
    problem = move_back.health_problem(db, service) or \
        move_back.unfence_problem(release.judge(db, conf, service), service)
    view = {"host": host, "evacuation": evacuation.uuid,
            "blocked": problem, "fence": {
                "forced_down": service.forced_down,
                "status": service.status,
                "disabled_reason": service.disabled_reason},
            **plan_view(plan, {})}
    if common.fmt(conf) == "json":
        common.print_json(view)
        return 0
    print("Move-back to %s, reversing evacuation %s (dry run):\n"
          % (host, evacuation.uuid))
    if problem:
        print("Blocked now: host %s: %s\n" % (host, problem))
    elif service.forced_down or service.status == "disabled":
        print("First: clear the fence (forced_down %s, %s).\n"
              % (service.forced_down, service.status))
    print_plan(view)
    return 0


def add_parsers(subparsers: Any) -> None:
    out = common.output_parser()
    wait = common.wait_parser()
    parser = subparsers.add_parser("host", help="Compute hosts.")
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser(
        "sync", parents=[out],
        help="Copy the cloud's compute hosts into the hosts table (no "
             "engine needed).").set_defaults(func=_sync)
    setter = actions.add_parser(
        "set", parents=[out], help="Set a host's role and switches.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="A standby host is disabled in Nova (reason starting "
                    "with 'vmotiond') and is the first target of "
                    "evacuations and drains; back to normal enables it.")
    setter.add_argument("host_name", metavar="HOST")
    setter.add_argument("--role", choices=("standby", "normal"))
    setter.add_argument("--auto-evacuate", dest="auto_evacuate",
                        choices=("on", "off"))
    setter.add_argument("--maintenance", choices=("on", "off"))
    setter.set_defaults(func=_set)
    plan = actions.add_parser(
        "plan", parents=[out],
        help="What an evacuation of HOST would do now: targets, order, "
             "instances that would not fit. Changes nothing.")
    plan.add_argument("host_name", metavar="HOST")
    plan.set_defaults(func=_plan)
    _host_verb(actions, "drain", _drain, [out, wait],
               "Move every instance off HOST (live if running, cold if "
               "stopped), standby hosts first.")
    back = _host_verb(
        actions, "move-back", _move_back, [out, wait],
        "Return to a recovered HOST the instances its last evacuation "
        "moved, if still where it put them.")
    back.add_argument("--dry-run", dest="dry_run", action="store_true",
                      help="print the plan; change nothing")
    _host_verb(actions, "release", _release, [out, wait],
               "Lift the fence vmotiond put on HOST (after a failed "
               "recovery): un-force its compute service down and enable it "
               "if vmotiond disabled it (not with [engine] leave_disabled); "
               "clears the failed mark that stops its automatic recovery. "
               "Moves nothing; refused while vmoves from or to HOST run or "
               "while the monitor does not have HOST healthy.")
    _host_verb(actions, "confirm-fenced", _confirm_fenced, [out, wait],
               "Confirm that HOST is powered off when its power fencing "
               "failed (BMC unreachable): its recovery, blocked until then "
               "with nothing evacuated, goes on. Make sure it is off first: "
               "an instance evacuated while it still runs there runs twice.")


def _host_verb(actions: Any, name: str, func: Any,
               parents: list[argparse.ArgumentParser],
               help: str) -> argparse.ArgumentParser:
    """Add the ``host NAME HOST`` command that runs ``func``."""
    parser: argparse.ArgumentParser = actions.add_parser(
        name, parents=parents, help=help)
    parser.add_argument("host_name", metavar="HOST")
    parser.set_defaults(func=func)
    return parser
