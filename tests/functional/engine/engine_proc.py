"""Run an engine in its own process, for kill-and-restart tests.

    python -m tests.functional.engine.engine_proc SETTINGS_JSON

SETTINGS_JSON maps "group.option" (or "option" for DEFAULT) to values and
holds "transport_url" and "clouds_yaml" (with "cloud"). The process runs
until SIGTERM (graceful stop) or SIGKILL (a crash).

On SIGUSR1 it prints one JSON line of what it spent so far: its CPU time
(every thread) and the database transactions it committed. With
"profile" set to a path, every thread it starts runs under cProfile and
the merged statistics are written there when it stops.
"""

import cProfile
import json
import os
import pstats
import resource
import signal
import sys
import threading
import time

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging
import sqlalchemy
from sqlalchemy import event

from vmotiond import bootstrap
from vmotiond import conf as conf_mod
from vmotiond.cloud import openstack as os_cloud
from vmotiond.db import api as db_api
from vmotiond.engine import manager


class Spent:
    """The process's CPU time and database commits, printed on SIGUSR1."""

    def __init__(self):
        self.commits = 0
        self.lock = threading.Lock()
        event.listen(sqlalchemy.engine.Engine, "commit", self._commit)

    def _commit(self, conn):
        with self.lock:
            self.commits += 1

    def report(self, *_):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(json.dumps({"cpu": usage.ru_utime + usage.ru_stime,
                          "commits": self.commits}), flush=True)


class ThreadProfiles:
    """One cProfile per thread started from now on, merged at the end."""

    def __init__(self):
        self.profiles = []
        self.lock = threading.Lock()
        threading.setprofile(self._start)

    def _start(self, *_):
        # CPU time of the thread, not the wall clock: waits cost nothing.
        profile = cProfile.Profile(time.thread_time)
        with self.lock:
            self.profiles.append(profile)
        profile.enable()

    def dump(self, path):
        threading.setprofile(None)
        with self.lock:
            profiles = list(self.profiles)
        for profile in profiles:
            profile.disable()
        stats = None
        for profile in profiles:
            try:
                if stats is None:
                    stats = pstats.Stats(profile)
                else:
                    stats.add(profile)
            except TypeError:       # a thread that profiled nothing
                continue
        if stats is not None:
            stats.dump_stats(path)


def main(argv):
    settings = json.loads(argv[1])
    profile_path = settings.pop("profile", None)
    spent = Spent()
    signal.signal(signal.SIGUSR1, spent.report)
    os.environ["OS_CLIENT_CONFIG_FILE"] = settings.pop("clouds_yaml")
    transport_url = settings.pop("transport_url")
    conf = cfg.ConfigOpts()
    conf_mod.register_opts(conf)
    logging.register_options(conf)
    conf([], project="vmotiond", default_config_files=[],
         default_config_dirs=[])
    for key, value in settings.items():
        group, _, name = key.rpartition(".")
        conf.set_override(name, value, group or None)
    logging.setup(conf, "vmotiond")
    db = db_api.Database(conf, **bootstrap.pool_options(conf))
    cloud = os_cloud.OpenStackCloud.from_config(conf)
    transport = oslo_messaging.get_notification_transport(
        conf, url=transport_url)
    engine = manager.EngineManager(conf, db, cloud, transport=transport)
    profiles = ThreadProfiles() if profile_path else None
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    engine.start()
    print("started", flush=True)
    done.wait()
    engine.stop()
    if profiles is not None:
        profiles.dump(profile_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
