"""``vmotiond.messaging`` is the one place that builds oslo.messaging's
transports, notifiers, listeners and RPC servers and clients."""

import ast
import threading

import testtools

from tests.fixtures import conf as conf_fixture
from tests.unit import test_imports
from vmotiond import messaging

# What builds a transport, a notifier, a listener or an RPC server/client.
BUILDERS = frozenset({
    "get_transport", "get_notification_transport", "get_rpc_transport",
    "Notifier", "get_notification_listener",
    "get_batch_notification_listener", "get_rpc_server", "get_rpc_client",
    "RPCClient"})


def builder_calls(path) -> list[str]:
    """Calls of ``oslo_messaging.<builder>`` in the module at ``path``
    (a builder named in a type annotation builds nothing)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        func = node.func if isinstance(node, ast.Call) else None
        if isinstance(func, ast.Attribute) and func.attr in BUILDERS and \
                isinstance(func.value, ast.Name) and \
                func.value.id == "oslo_messaging":
            found.append("%s:%d %s" % (path.name, node.lineno, func.attr))
        elif isinstance(node, ast.ImportFrom) and \
                (node.module or "").startswith("oslo_messaging"):
            found.extend("%s:%d %s" % (path.name, node.lineno, a.name)
                         for a in node.names if a.name in BUILDERS)
    return found


class OnePlaceTest(testtools.TestCase):

    def test_only_messaging_builds(self):
        bad = {name: builder_calls(path)
               for name, path in test_imports.modules().items()
               if name != "vmotiond.messaging"}
        self.assertEqual({}, {k: v for k, v in bad.items() if v})
        self.assertNotEqual(
            [], builder_calls(test_imports.modules()["vmotiond.messaging"]))


class Endpoint:
    def __init__(self):
        self.heard = []
        self.event = threading.Event()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.heard.append((publisher_id, event_type, payload))
        self.event.set()

    def ping(self, ctxt):
        return "pong"


class BuildersTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(conf_fixture.Conf()).conf
        self.assertTrue(messaging.is_in_process(self.conf))
        self.transport = messaging.notification_transport(self.conf)
        self.addCleanup(self.transport.cleanup)

    def test_notifier_and_listener(self):
        notifier = messaging.notifier(self.transport, "t1", "me.h", retry=3)
        self.assertEqual(["t1"], notifier._topics)
        self.assertEqual(3, notifier.retry)
        endpoint = Endpoint()
        listener = messaging.notification_listener(
            self.transport, "t1", [endpoint], pool="p1")
        listener.start()
        self.addCleanup(listener.wait)
        self.addCleanup(listener.stop)
        notifier.info({}, "x.y", {"a": 1})
        self.assertTrue(endpoint.event.wait(10))
        self.assertEqual([("me.h", "x.y", {"a": 1})], endpoint.heard)

    def test_rpc_server_and_client(self):
        rpc = messaging.rpc_transport(self.conf)
        self.addCleanup(rpc.cleanup)
        server = messaging.rpc_server(rpc, "rpc-t", "h1", [Endpoint()])
        server.start()
        self.addCleanup(server.wait)
        self.addCleanup(server.stop)
        client = messaging.rpc_client(rpc, "rpc-t", timeout=10, retry=1)
        self.assertEqual("pong", client.call({}, "ping"))
