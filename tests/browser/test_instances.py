"""The instance pages in headless Chromium: a host's instances and every
instance page by page, read from the simulated cloud through the engine's
reads; a selection shows the targets the planner accepts."""

import json
import threading
import types
from typing import Any

from tests.browser import test_console
from vmotiond import engine_client
from vmotiond.cloud import openstack as os_cloud
from vmotiond.engine.commands import reads
from vmotiond.engine.commands import rpc
from vmotiond.engine.deciding.records import PlanOptions


class InProcessEngine:
    """The engine's RPC endpoint called in this process: its reads over
    the simulator, the answers unwrapped as ``EngineClient`` does (the
    bus itself is tested in tests/unit/engine/commands/test_rpc)."""

    def __init__(self, test: "InstancePagesTest") -> None:
        self.test = test
        self.endpoint: rpc.EngineEndpoint | None = None
        self.lock = threading.Lock()

    def ask(self, method: str, **kwargs: Any) -> Any:
        with self.lock:
            if self.endpoint is None:
                self.endpoint = self._endpoint()
            return engine_client.unwrap(
                getattr(self.endpoint, method)({}, **kwargs))

    def _endpoint(self) -> rpc.EngineEndpoint:
        conn = self.test.sim.connect()
        self.test.addCleanup(conn.close)
        services = types.SimpleNamespace(
            cloud=os_cloud.OpenStackCloud(conn, self.test.conf_fixture.conf),
            db=self.test.database, options=PlanOptions())
        return rpc.EngineEndpoint("engine-test", None, None,
                                  reads.InstanceReads(services))


class InstancePagesTest(test_console.ConsoleTestCase):

    def engine(self) -> Any:
        return InProcessEngine(self)

    def on_host(self, host: str) -> set[str]:
        return {s.id for s in self.sim.cloud.state.servers.values()
                if s.host == host and not s.deleted}

    def judged(self, hosts: set[str]
               ) -> tuple[list[str], dict[str, str]] | None:
        """The accepted targets and the refused hosts with their reasons,
        once the page has judged every one of ``hosts``."""
        targets = self.browser.script(
            "return Array.from(document.querySelectorAll("
            "'#targets tr[data-target]')).map(r => r.dataset.target);")
        refused = self.browser.script(
            "return Object.fromEntries(Array.from(document.querySelectorAll("
            "'#refused li[data-refused]')).map("
            "li => [li.dataset.refused, li.textContent]));")
        if set(targets) | set(refused) != hosts:
            return None
        return targets, refused

    def anti_affinity_peers(self, server_id: str) -> set[str]:
        """The hosts where the anti-affinity peers of ``server_id`` run."""
        state = self.sim.cloud.state
        return {state.servers[m].host for g in state.groups.values()
                if g.policy == "anti-affinity" and server_id in g.members
                for m in g.members if m != server_id}

    def rows(self) -> list[str]:
        return self.browser.script(
            "return Array.from(document.querySelectorAll("
            "'#instances tr[data-instance]')).map(r => r.dataset.instance);")

    def test_a_host_s_instances_and_the_targets_of_a_selection(self) -> None:
        self.log_in()
        hosts = set(self.browser.wait(self.host_names, what="the hosts"))
        host = "compute-0001"
        expected = self.on_host(host)
        self.assertTrue(expected)
        self.browser.click('#hosts tr[data-host="%s"] td.name a' % host)
        self.browser.wait(lambda: self.browser.url().endswith(
            "/vmotion/host_desktop_migration/" + host), what="the host page")
        found = self.browser.wait(self.rows, what="the host's instances")
        self.assertEqual(expected, set(found))
        first = found[0]
        row = '#instances tr[data-instance="%s"]' % first
        server = self.sim.cloud.state.servers[first]
        self.assertEqual(server.name,
                         self.browser.text(row + " td.name div"))
        self.assertEqual(server.project_id,
                         self.browser.text(row + " td.owner"))
        self.assertEqual(server.flavor.name,
                         self.browser.text(row + " td.flavor"))
        self.assertEqual(host, self.browser.text(row + " td.host"))
        self.assertRegex(self.browser.text(row + " td.addresses"),
                         r"\d+\.\d+\.\d+\.\d+")
        self.assertEqual("ACTIVE", self.browser.text(row + " td.status"))
        # A selection: every host accepted or refused with the planner's
        # reason; never the instance's host, nor one where an
        # anti-affinity peer of it runs.
        self.browser.click(row + " input.pick")
        judged = self.browser.wait(lambda: self.judged(hosts),
                                   what="every host judged")
        targets, refused = judged
        self.assertEqual(hosts, set(targets) | set(refused))
        self.assertIn("its source", refused[host])
        for peer_host in self.anti_affinity_peers(first):
            self.assertIn("anti-affinity", refused[peer_host])
        hook = self.browser.script(
            "const n = document.getElementById('instance-actions');"
            "return [n.dataset.instances, n.dataset.targets];")
        self.assertEqual([[first], targets], [json.loads(v) for v in hook])
        self.browser.screenshot("host_desktop_migration")
        self.assertEqual([], self.browser.console_messages())

    def test_every_instance_page_by_page(self) -> None:
        self.log_in()
        self.browser.wait(self.host_names, what="the hosts")
        self.browser.go(self.url + "/vmotion/desktop_migration?limit=4")
        first = self.browser.wait(self.rows, what="the first page")
        self.assertEqual(4, len(first))
        self.browser.wait(lambda: not self.browser.script(
            "return document.getElementById('more').hidden;"),
            what="the button of the next page")
        self.browser.click("#more")
        every = self.browser.wait(
            lambda: (lambda r: r if len(r) > 4 else None)(self.rows()),
            what="the second page")
        live = {s.id for s in self.sim.cloud.state.servers.values()
                if not s.deleted}
        self.assertEqual(live, set(every))
        self.assertEqual(first, every[:4])
        self.assertTrue(self.browser.script(
            "return document.getElementById('more').hidden;"))
        self.browser.screenshot("desktop_migration")
        self.browser.go(self.url + "/vmotion/desktop_migration?lang=zh_CN")
        self.browser.wait(self.rows, what="the instances in Chinese")
        self.assertEqual("桌面迁移", self.browser.text("h1"))
        self.browser.screenshot("desktop_migration-zh_CN")
        self.assertEqual([], self.browser.console_messages())
