"""``vmotiond-manage capacity check``: the failover headroom.

For every compute host, whether the others could absorb its loss now:
the planner plans each host's evacuation in turn (standby hosts first,
availability zones, capacity and server groups honoured), as a recovery
would. A read: it uses the database and the cloud directly and changes
nothing. Exit status 0 when every host's loss could be absorbed, 1 when
some could not (so a cron job or a monitoring check can use it).
"""

from typing import Any

from oslo_config import cfg

from vmotiond import clock as clock_mod
from vmotiond.cmd.manage import common
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.workflows import capacity


def print_view(view: dict[str, Any]) -> None:
    """The verdict in a few lines, then one row per host."""
    print(common.table(
        [(h["host"], h["zone"], h["role"], h["instances"], h["memory_mb"],
          h["vcpus"], "yes" if h["absorbable"] else
          "NO (%d unplaced)" % len(h["unplaced"])) for h in view["hosts"]],
        ("host", "zone", "role", "instances", "RAM MB", "vCPUs",
         "loss absorbable")))
    lost = [h for h in view["hosts"] if not h["absorbable"]]
    for host in lost:
        print("\nIf %s failed now, would not fit anywhere (%d):"
              % (host["host"], len(host["unplaced"])))
        print(common.table([(i["instance_name"], i["reason"], i["message"])
                            for i in host["unplaced"]],
                           ("instance", "reason", "why")))
    print()
    if not lost:
        print("The loss of any single host could be absorbed.")
    else:
        print("The loss of %d host(s) could not be absorbed: %s."
              % (len(lost), ", ".join(h["host"] for h in lost)))
    if view["largest_host"]:
        print("Largest host (most RAM to move): %s; its loss %s."
              % (view["largest_host"], "could be absorbed"
                 if view["survives_largest"] else "could NOT be absorbed"))


def _check(conf: cfg.ConfigOpts) -> int:
    db = common.database(conf)
    cloud = common.cloud(conf)
    view = capacity.view(capacity.check(db, cloud,
                                        PlanOptions.from_conf(conf)),
                         clock_mod.Clock())
    if common.fmt(conf) == "json":
        common.print_json(view)
    else:
        print_view(view)
    return 1 if view["unabsorbable"] else 0


def add_parsers(subparsers: Any) -> None:
    parser = subparsers.add_parser("capacity", help="Failover headroom.")
    actions = parser.add_subparsers(dest="action", required=True)
    check = actions.add_parser(
        "check", parents=[common.output_parser()],
        help="Whether the loss of each host could be absorbed by the "
             "others now, as the planner would evacuate it; exit 1 when "
             "some could not.")
    check.set_defaults(func=_check)
