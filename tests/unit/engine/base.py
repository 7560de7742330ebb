"""A whole engine on SQLite, a fake cloud, a fake clock, inline pools."""

import os

import fixtures
import futurist
from oslo_config import cfg
import testtools

from tests.unit.engine import fake_cloud
from tests.unit.engine import fakes
from vmotiond import clock as clock_mod
from vmotiond import conf as conf_mod
from vmotiond import constants
from vmotiond.db import api as db_api
from vmotiond.engine import locks
from vmotiond.engine import manager
from vmotiond.engine.workflows import standby as standby_mod


class EngineTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        # SQLite in memory-backed storage: fsyncs cost nothing there.
        shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
        tmp = self.useFixture(fixtures.TempDir(rootdir=shm)).path
        self.conf = cfg.ConfigOpts()
        conf_mod.register_opts(self.conf)
        self.conf([], default_config_files=[])
        self.conf.set_override("state_path", tmp)
        self.conf.set_override("poll_interval", 1.0, "engine")
        # A sweeper on a FakeClock would spin; tests call resume().
        self.conf.set_override("resume_interval", 0, "engine")
        self.conf.set_override("new_poll_interval", 0, "engine")
        self.conf.set_override("capacity_check_interval", 0, "engine")
        self.conf.set_override("step_retry_backoff", 1.0, "engine")
        self.clock = clock_mod.FakeClock()
        self.db = db_api.Database(
            self.conf, self.clock,
            connection="sqlite:///" + os.path.join(tmp, "engine.sqlite"))
        self.db.sync()
        self.addCleanup(self.db.dispose)
        self.cloud = fake_cloud.FakeCloud(self.clock, lag=2)
        self.locks = locks.LocalLocks()

    def make_manager(self, **kw):
        kw.setdefault("pool", futurist.SynchronousExecutor())
        kw.setdefault("notification_pool", futurist.SynchronousExecutor())
        return manager.EngineManager(self.conf, self.db, self.cloud,
                                     self.clock, locks=self.locks, **kw)

    def add_hosts(self, standby=("sb1",), normal=("n1",), failed="failed",
                  memory_mb=65536):
        self.cloud.add_host(failed, capacity=fakes.capacity(failed))
        inventory = [{"name": failed}]
        for host in standby:
            self.cloud.add_host(host, status="disabled",
                                reason=standby_mod.REASON,
                                capacity=fakes.capacity(
                                    host, memory_mb=memory_mb))
            inventory.append({"name": host})
        for host in normal:
            self.cloud.add_host(host, capacity=fakes.capacity(
                host, memory_mb=memory_mb))
            inventory.append({"name": host})
        self.db.hosts_sync(inventory)
        for host in standby:
            self.db.host_update(host, {"role": constants.ROLE_STANDBY})

    def notify(self, host="failed", generation=1):
        row = self.db.notification_create(
            constants.COMPUTE_HOST, host,
            "%s:%s:%d" % (constants.COMPUTE_HOST, host, generation),
            {"host": host, "generation": generation})
        return row.uuid

    def vmoves(self, uuid):
        return {v.instance_name: v for v in
                self.db.vmove_list(notification_uuid=uuid)}

    def steps(self, vmove_uuid):
        return [(s.name, s.status) for s in self.db.step_list(vmove_uuid)]
