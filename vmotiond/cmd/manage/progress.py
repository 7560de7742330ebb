"""``--wait``: follow a notification's vmoves until it ends."""

import threading

from oslo_config import cfg

from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond.cmd.manage import common
from vmotiond.db import api as db_api
from vmotiond.engine.commands import views
from vmotiond.engine.running import batch as batch_mod

INTERVAL = 1.0


def follow(conf: cfg.ConfigOpts, db: db_api.Database, uuid: str,
           clock: clock_mod.Clock | None = None,
           stop: threading.Event | None = None,
           interval: float = INTERVAL) -> int:
    """Print each vmove as it changes, then the verdict; return the exit
    status: 0 when the notification finished, else 1."""
    clock = clock or clock_mod.Clock()
    stop = stop or threading.Event()
    as_json = common.fmt(conf) == "json"
    limit = float(getattr(conf.category, "wait_timeout", 0.0) or 0.0)
    deadline = clock.monotonic() + limit if limit > 0 else None
    seen: dict[str, tuple[object, ...]] = {}
    while True:
        note = db.notification_get(uuid)
        rows = db.vmove_list(notification_uuid=uuid, sort_dir="asc")
        if not as_json:
            for row in rows:
                state = (row.status, row.current_step, row.dest_host)
                if seen.get(row.uuid) != state:
                    seen[row.uuid] = state
                    print("%s  %-24s %-9s %-22s %s -> %s  %s" % (
                        clock.now().strftime("%H:%M:%S"),
                        (row.instance_name or row.instance_uuid)[:24],
                        row.status, row.current_step or "-",
                        row.source_host or "-", row.dest_host or "-",
                        row.message or ""), flush=True)
        if note.status in batch_mod.DONE:
            break
        if deadline is not None and clock.monotonic() >= deadline:
            print("Still %s after %.0f s; follow it with 'vmotiond-manage "
                  "task list --notification %s'" % (note.status, limit,
                                                     uuid))
            return 1
        if clock.wait(stop, interval):
            return 1
    if as_json:
        common.print_json({"notification": views.notification(note),
                           "vmoves": [views.vmove(r) for r in rows]})
    else:
        print("Notification %s %s: %s" % (uuid, note.status,
                                           note.message or ""))
    return 0 if note.status == constants.NOTIFICATION_FINISHED else 1


def started(conf: cfg.ConfigOpts, note: dict[str, object]) -> int:
    """Report a notification the engine accepted; follow it if asked."""
    if getattr(conf.category, "wait", False):
        if common.fmt(conf) != "json":
            print("Notification %s (%s) accepted; following it."
                  % (note["uuid"], note["type"]))
        return follow(conf, common.database(conf), str(note["uuid"]))
    if common.fmt(conf) == "json":
        common.print_json(note)
    else:
        common.print_mapping(note, ("uuid", "type", "host", "status",
                                    "created_at"))
        print("Follow it with: vmotiond-manage task list --notification %s"
              % note["uuid"])
    return 0
