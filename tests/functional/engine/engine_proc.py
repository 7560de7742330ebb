"""Run an engine in its own process, for kill-and-restart tests.

    python -m tests.functional.engine.engine_proc SETTINGS_JSON

SETTINGS_JSON maps "group.option" (or "option" for DEFAULT) to values and
holds "transport_url" and "clouds_yaml" (with "cloud"). The process runs
until SIGTERM (graceful stop) or SIGKILL (a crash).
"""

import json
import os
import signal
import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging

from vmotiond import conf as conf_mod
from vmotiond.cloud import openstack as os_cloud
from vmotiond.db import api as db_api
from vmotiond.engine import manager


def main(argv):
    settings = json.loads(argv[1])
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
    db = db_api.Database(conf)
    cloud = os_cloud.OpenStackCloud.from_config(conf)
    transport = oslo_messaging.get_notification_transport(
        conf, url=transport_url)
    engine = manager.EngineManager(conf, db, cloud, transport=transport)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    engine.start()
    print("started", flush=True)
    done.wait()
    engine.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
