"""The engine on a cloud without a network service, with its defaults:
the conformance target reached as a clouds.yaml with ``auth_type: none``
(network calls go to Nova's URL and get its 404 page)."""

from tests.functional.engine import scenario
from vmotiond import constants

BOOT = {"active-1": None, "active-2": None, "active-3": None,
        "stopped": "stopped"}


class NoNetworkEngineScenarios(scenario.EngineSetup):
    """Mix into a test case whose ``setUp`` sets ``self.target``."""

    def test_engine_recovers_every_instance_without_network(self):
        failed = self.target.hosts[0]
        ids = {name: self.target.boot(failed, name=name, state=state)
               for name, state in BOOT.items()}
        engine, db, cloud = self._engine(
            [], connection=self.target.connection_without_network())
        self.target.kill(failed)
        note = db.notification_create(
            constants.COMPUTE_HOST, failed,
            "%s:%s:1" % (constants.COMPUTE_HOST, failed),
            {"host": failed, "generation": 1})
        status = engine.recovery.run(note.uuid)
        row = db.notification_get(note.uuid)
        self.assertEqual(constants.NOTIFICATION_FINISHED, status,
                         row.message)
        for move in db.vmove_list(notification_uuid=note.uuid):
            self.assertEqual(constants.SUCCEEDED, move.status, move.message)
            self.assertIn(
                "; floating IPs skipped: the cloud has no network service",
                move.message)
            for step in db.step_list(move.uuid):
                self.assertNotIn("<", step.result or "", step.name)
            server = cloud.get_server(ids[move.instance_name])
            self.assertNotEqual(failed, server.host)
        self.assertEqual("SHUTOFF", cloud.get_server(ids["stopped"]).status)
        self.assertEqual("ACTIVE", cloud.get_server(ids["active-1"]).status)
