"""Run Masakari's own host-failure flow once; for bench/masakari.py.

Runs in Masakari's virtualenv (``.venv-masakari``), never in vmotiond's:
it imports Masakari and eventlet, and nothing of vmotiond. It does what
masakari-engine does when a COMPUTE_HOST notification arrives for a
segment whose recovery method is ``auto``: ``TaskFlowDriver().
execute_host_failure`` (disable the compute service, wait, list the
host's instances, evacuate them on a green pool and confirm each), with
Masakari's options written to a config file, its Nova and Keystone
pointed at the simulator, its database a SQLite file.

    python -P bench/masakari_driver.py '{"auth_url": ..., "host": ...}'

Protocol on stdout (the logs go to stderr): ``ready`` once everything is
imported and the database made; then it waits for a line on stdin (the
benchmark kills the host and starts its clock), runs the flow and prints
one JSON line: status, seconds the flow took, the vmoves' statuses.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# bench/masakari.py must not shadow the masakari package.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]

import eventlet  # noqa: E402

eventlet.monkey_patch()     # as masakari-engine does (masakari/cmd)

import json  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

CONF_TEMPLATE = """[DEFAULT]
os_privileged_user_name = {user}
os_privileged_user_password = {password}
os_privileged_user_tenant = {project}
os_privileged_user_auth_url = {auth_url}
os_region_name = {region}
wait_period_after_service_update = {wait}
host_failure_recovery_threads = {threads}
use_stderr = true
{extra}
[keystone_authtoken]
auth_type = password

[database]
connection = sqlite:///{state}/masakari.sqlite

[taskflow]
connection = memory://
"""


def configure(spec):
    path = os.path.join(spec["state"], "masakari.conf")
    extra = "".join("%s = %s\n" % kv for kv in spec.get("options",
                                                       {}).items())
    with open(path, "w") as f:
        f.write(CONF_TEMPLATE.format(extra=extra, **spec))
    from masakari import config
    config.parse_args(["masakari-bench", "--config-file", path],
                      init_rpc=False)
    from masakari import conf
    from oslo_log import log
    log.setup(conf.CONF, "masakari")
    from masakari import objects
    objects.register_all()
    from masakari.db.sqlalchemy import api as db_api
    from masakari.db.sqlalchemy import models
    models.BASE.metadata.create_all(db_api.get_engine())


def run(spec):
    from masakari import context
    from masakari import objects
    from masakari.engine.drivers.taskflow import driver
    ctx = context.get_admin_context()
    notification = str(uuid.uuid4())
    flow = driver.TaskFlowDriver()
    print("ready", flush=True)
    sys.stdin.readline()
    t0 = time.monotonic()
    status, message = "finished", ""
    try:
        flow.execute_host_failure(ctx, spec["host"], "auto", notification)
    except Exception as exc:        # the engine marks it 'error'
        status, message = "error", "%s: %s" % (type(exc).__name__, exc)
    took = time.monotonic() - t0
    moves = objects.VMoveList.get_all_vmoves(ctx, notification)
    statuses = {}
    for move in moves:
        statuses[move.status] = statuses.get(move.status, 0) + 1
    import masakari.version
    print(json.dumps({"status": status, "message": message[:500],
                      "took": took, "vmoves": statuses,
                      "version": masakari.version.version_string()}),
          flush=True)


def main():
    spec = json.loads(sys.argv[1])
    configure(spec)
    run(spec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
