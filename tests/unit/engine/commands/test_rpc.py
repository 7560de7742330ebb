"""The engine's RPC server and client over the in-process transport."""

import oslo_messaging

from tests.unit.engine import test_operations
from vmotiond import constants
from vmotiond import engine_client
from vmotiond import exception


class RpcTest(test_operations.OperationsTestCase):

    def setUp(self):
        super().setUp()
        self.conf.set_override("rpc_topic", "vmotiond-test-rpc", "engine")
        self.conf.set_override("rpc_ping_timeout", 0.5, "engine")
        self.transport = oslo_messaging.get_rpc_transport(self.conf,
                                                          url="fake:/")
        self.addCleanup(self.transport.cleanup)

    def serve(self):
        mgr = self.make_manager(rpc_transport=self.transport)
        mgr.start()
        self.addCleanup(mgr.stop)
        return mgr

    def client(self):
        return engine_client.EngineClient(self.conf, transport=self.transport)

    def test_drain_over_rpc(self):
        self.serve()
        server = self.add("a")
        client = self.client()
        self.assertEqual(self.conf.host, client.ping()["host"])
        note = client.call("host_drain", host="src")
        self.assertEqual(constants.HOST_DRAIN, note["type"])
        row = self.db.notification_get(note["uuid"])
        self.assertEqual(constants.NOTIFICATION_FINISHED, row.status)
        self.assertEqual("sb1", self.host_of(server))

    def test_the_instance_reads_over_rpc(self):
        self.serve()
        server = self.add("a")
        client = self.client()
        found = client.call("host_instances", host="src")
        self.assertEqual([server.id],
                         [r["uuid"] for r in found["instances"]])
        page = client.call("instance_list", limit=10, marker=None)
        self.assertEqual([server.id], [r["uuid"] for r in page["instances"]])
        targets = client.call("instance_targets", instances=[server.id])
        self.assertEqual("sb1", targets["targets"][0]["host"])
        self.assertRaises(exception.NotFound, client.call, "host_instances",
                          host="nowhere")

    def test_refusal_comes_back_as_its_exception(self):
        self.serve()
        error = self.assertRaises(exception.NotFound, self.client().call,
                                  "task_delete", vmove="nope")
        self.assertIn("nope", str(error))
        error = self.assertRaises(exception.InvalidInput,
                                  self.client().call, "instance_reset_state",
                                  instances=["x"], state="paused")
        self.assertIn("state must be one of", str(error))

    def test_no_engine_fails_fast_and_sends_nothing(self):
        client = self.client()
        error = self.assertRaises(exception.EngineUnavailable, client.call,
                                  "host_drain", host="src")
        self.assertIn("nothing was done", str(error))
        self.assertIn("vmotiond-test-rpc", str(error))
        # The request was never sent: an engine started later has none.
        self.serve()
        self.assertEqual([], self.db.notification_list())

    def test_in_process_transport_refused_by_default_client(self):
        self.conf.set_override("transport_url", "fake:/")
        error = self.assertRaises(exception.EngineUnavailable,
                                  engine_client.EngineClient, self.conf)
        self.assertIn("in-process", str(error))

    def test_engine_crash_in_a_method_is_an_answer(self):
        mgr = self.serve()

        def boom(host):
            raise RuntimeError("disk on fire")

        mgr.operations.operator.drain = boom
        error = self.assertRaises(exception.VmotiondError,
                                  self.client().call, "host_drain",
                                  host="src")
        self.assertIn("disk on fire", str(error))


class SharedNamesTest(test_operations.OperationsTestCase):

    def test_endpoint_serves_every_method_clients_name(self):
        from vmotiond.engine.commands import rpc
        for method in engine_client.METHODS:
            self.assertTrue(callable(getattr(rpc.EngineEndpoint, method,
                                             None)), method)

    def test_nova_chooses_is_the_engine_s_name(self):
        from vmotiond.engine.deciding import names
        self.assertEqual(names.LET_NOVA_CHOOSE,
                         engine_client.LET_NOVA_CHOOSE)

    def test_unwrap(self):
        self.assertEqual(3, engine_client.unwrap(engine_client.result(3)))
        error = self.assertRaises(
            exception.Conflict, engine_client.unwrap,
            engine_client.refusal("busy", "Conflict"))
        self.assertEqual("busy", str(error))
        # An unknown kind is still an error, of the base class.
        error = self.assertRaises(
            exception.VmotiondError, engine_client.unwrap,
            engine_client.refusal("odd", "os.system"))
        self.assertEqual("odd", str(error))
        self.assertRaises(exception.VmotiondError, engine_client.unwrap,
                          ["not", "a", "dict"])
