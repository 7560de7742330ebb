"""The operator's workflows written once for any conformance target
(``tests.conformance.target.Target``): the real Nova with its fake virt
driver, or the simulator.

Mix ``OperationsScenarios`` into a test case whose ``setUp`` sets
``self.target`` (see ``tests/conformance/nova/test_operations.py``). The
engine runs in the test's process on SQLite with local locks; requests go
to its operator API as the RPC endpoint would pass them.
"""

import os

import fixtures
from oslo_config import cfg
from oslo_log import log as logging

from vmotiond import conf as conf_mod
from vmotiond import constants
from vmotiond.cloud import openstack as os_cloud
from vmotiond.db import api as db_api
from vmotiond.engine import locks
from vmotiond.engine import manager

TIMEOUT = 120


class OperationsScenarios:
    """Drain, custom batch and move-back; mix into a ``TestCase``."""

    def _engine(self, standby=()):
        conf = cfg.ConfigOpts()
        conf_mod.register_opts(conf)
        logging.register_options(conf)
        conf([], project="vmotiond", default_config_files=[])
        tmp = self.useFixture(fixtures.TempDir()).path
        conf.set_override("state_path", tmp)
        conf.set_override("poll_interval", 0.2, "engine")
        conf.set_override("resume_interval", 0, "engine")
        conf.set_override("capacity_check_interval", 0, "engine")
        # Bounds, not waits: the real Nova runs in-process on SQLite and
        # one live migration took over 60 s on a busy 2-core machine.
        conf.set_override("move_timeout", 600, "engine")
        conf.set_override("unfence_timeout", 600, "engine")
        conf.set_override("workers", 2, "engine")
        conf.set_override("api_retries", 0, "cloud")
        if not getattr(self.target, "has_network", False):
            conf.set_override("floating_ip_steps", False, "engine")
        db = db_api.Database(conf, connection="sqlite:///" + os.path.join(
            tmp, "engine.sqlite"))
        db.sync()
        self.addCleanup(db.dispose)
        cloud = os_cloud.OpenStackCloud(self.target.connection(), conf)
        db.hosts_sync([{"name": h} for h in self.target.hosts])
        engine = manager.EngineManager(conf, db, cloud,
                                       locks=locks.LocalLocks())
        self.addCleanup(engine.stop)
        for host in standby:
            engine.operations.operator.host_set(host, role="standby")
        return engine, db, cloud

    def _finish(self, engine, db, note):
        engine.submit(note["uuid"]).result(TIMEOUT)
        row = db.notification_get(note["uuid"])
        moves = {v.instance_name: v
                 for v in db.vmove_list(notification_uuid=row.uuid)}
        for move in moves.values():
            self.addDetail("vmove-%s-%s" % (row.type, move.instance_name),
                           _text("%s %s %s -> %s: %s\n%s" % (
                               move.type, move.status, move.source_host,
                               move.dest_host, move.message, "\n".join(
                                   "  %s %s: %s" % (s.name, s.status,
                                                    s.result)
                                   for s in db.step_list(move.uuid)))))
        return row, moves

    def test_drain_empties_host_standby_first(self):
        source, _normal, standby = self.target.hosts[:3]
        ids = {name: self.target.boot(source, name=name, state=state)
               for name, state in (("run-1", None), ("run-2", None),
                                   ("stopped", "stopped"))}
        engine, db, cloud = self._engine(standby=[standby])
        row, moves = self._finish(
            engine, db, engine.operations.operator.drain(source))
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status,
                         row.message)
        self.assertEqual([], cloud.list_servers(source))
        for name, sid in ids.items():
            server = cloud.get_server(sid)
            self.assertEqual(standby, server.host, name)
            self.assertEqual(constants.SUCCEEDED, moves[name].status)
        self.assertEqual(constants.LIVE_MIGRATION, moves["run-1"].type)
        self.assertEqual(constants.MIGRATION, moves["stopped"].type)
        self.assertEqual("ACTIVE", cloud.get_server(ids["run-1"]).status)
        self.assertEqual("SHUTOFF", cloud.get_server(ids["stopped"]).status)
        svc = [s for s in cloud.list_compute_services()
               if s.host == source][0]
        self.assertEqual("disabled", svc.status)

    def test_custom_batch_lands_where_asked(self):
        source, dest = self.target.hosts[:2]
        ids = {name: self.target.boot(source, name=name, state=state)
               for name, state in (("run", None), ("stopped", "stopped"),
                                   ("rescued", "rescued"))}
        engine, db, cloud = self._engine()
        api = engine.operations.operator
        row, moves = self._finish(engine, db, api.migrate(
            [ids["run"], ids["stopped"]], dest))
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status,
                         row.message)
        for name in ("run", "stopped"):
            self.assertEqual(dest, cloud.get_server(ids[name]).host, name)
        # A rescued instance cannot live-migrate: ignored, never tried.
        row, moves = self._finish(engine, db, api.migrate(
            [ids["rescued"]], dest, "live"))
        self.assertEqual(constants.IGNORED, moves["rescued"].status)
        self.assertIn("rescued", moves["rescued"].message)
        self.assertEqual(source, cloud.get_server(ids["rescued"]).host)
        self.assertEqual([], cloud.list_migrations(ids["rescued"]))

    def test_move_back_returns_exactly_the_ones_still_there(self):
        failed, other, standby = self.target.hosts[:3]
        ids = {name: self.target.boot(failed, name=name, state=state)
               for name, state in (("run", None), ("stopped", "stopped"),
                                   ("moved", None))}
        engine, db, cloud = self._engine(standby=[standby])
        self.target.kill(failed)
        note = db.notification_create(
            constants.COMPUTE_HOST, failed,
            "%s:%s:1" % (constants.COMPUTE_HOST, failed),
            {"host": failed, "generation": 1})
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         engine.recovery.run(note.uuid))
        self.target.revive(failed)
        api = engine.operations.operator
        self._finish(engine, db, api.migrate([ids["moved"]], other))
        self.assertEqual(other, cloud.get_server(ids["moved"]).host)
        db.host_update(failed, {"monitor_state": constants.HOST_RECOVERED})
        row, moves = self._finish(engine, db, api.move_back(failed))
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status,
                         row.message)
        for name in ("run", "stopped"):
            self.assertEqual(constants.SUCCEEDED, moves[name].status, name)
            self.assertEqual(failed, cloud.get_server(ids[name]).host, name)
        self.assertEqual("ACTIVE", cloud.get_server(ids["run"]).status)
        self.assertEqual("SHUTOFF", cloud.get_server(ids["stopped"]).status)
        self.assertEqual(constants.IGNORED, moves["moved"].status)
        self.assertIn("moved since", moves["moved"].message)
        self.assertEqual(other, cloud.get_server(ids["moved"]).host)
        svc = [s for s in cloud.list_compute_services()
               if s.host == failed][0]
        self.assertFalse(svc.forced_down)
        self.assertEqual("enabled", svc.status)

    def test_paused_and_suspended_kept_through_evacuation_and_move_back(self):
        failed, _other, standby = self.target.hosts[:3]
        ids = {state: self.target.boot(failed, name=state, state=state)
               for state in ("paused", "suspended")}
        engine, db, cloud = self._engine(standby=[standby])
        self.target.kill(failed)
        note = db.notification_create(
            constants.COMPUTE_HOST, failed,
            "%s:%s:1" % (constants.COMPUTE_HOST, failed),
            {"host": failed, "generation": 1})
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         engine.recovery.run(note.uuid))
        for state, sid in ids.items():
            server = cloud.get_server(sid)
            self.assertEqual((standby, state.upper()),
                             (server.host, server.status), state)
        self.target.revive(failed)
        db.host_update(failed, {"monitor_state": constants.HOST_RECOVERED})
        row, moves = self._finish(
            engine, db, engine.operations.operator.move_back(failed))
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status,
                         row.message)
        for state, sid in ids.items():
            self.assertEqual(constants.SUCCEEDED, moves[state].status, state)
            self.assertEqual(constants.LIVE_MIGRATION, moves[state].type)
            server = cloud.get_server(sid)
            self.assertEqual((failed, state.upper(), state),
                             (server.host, server.status, server.vm_state),
                             state)


def _text(text):
    from testtools import content
    return content.text_content(text)
