"""The operator console in headless Chromium, against a running API.

The API runs behind keystonemiddleware over MariaDB; its hosts come from
the simulated cloud's inventory, tokens from the simulator's Keystone.
Every page's screenshot is written to ``.browser-screenshots/``.
"""

import datetime
import os
from typing import Any

import fixtures
import requests

from tests.browser import webdriver
from tests.fixtures import ports
from tests.fixtures import sim as sim_fixture
from tests.functional.api import base
from vmotiond import constants
from vmotiond.cloud import openstack as os_cloud
from vmotiond.console import security
from vmotiond.monitor import inventory
from vmotiond.monitor import store as store_mod
from vmotiond.sim import builder


class ConsoleTestCase(base.ApiServerTestCase):
    """A browser on the console of an API over the simulator."""

    language = "en-US,en"

    def setUp(self) -> None:
        super().setUp()
        webdriver.executables()  # fail first, and clearly, without them
        port = ports.free_port()
        self.sim = self.useFixture(sim_fixture.SimFixture(
            builder.Scenario(hosts=3, standby=1, servers=6)))
        self.start_api("keystone", self.sim.auth_url, port,
                       engine=self.engine())
        conn = self.sim.connect()
        self.addCleanup(conn.close)
        inventory.sync(os_cloud.OpenStackCloud(conn, self.conf_fixture.conf),
                       store_mod.DbStore(self.database))
        self.browser = self.useFixture(webdriver.Browser(self.language))

    def engine(self) -> Any:
        """What the API asks the engine (None: no engine)."""
        return None

    def log_in(self, user: str = "admin",
               password: str = "admin",  # noqa: S107 (the simulator's)
               project: str = "admin") -> None:
        self.browser.go(self.url + "/vmotion/hostinfo")
        self.browser.wait(lambda: self.browser.find_all("form.login"),
                          what="the login form")
        self.browser.type("#user", user)
        self.browser.type("#password", password)
        self.browser.type("#project", project)
        self.browser.click("#login")

    def host_names(self) -> list[str]:
        return self.browser.texts("#hosts tbody td.name")


class TestConsole(ConsoleTestCase):

    def test_login_then_hosts(self) -> None:
        self.log_in()
        names = self.browser.wait(self.host_names, what="the hosts")
        self.assertIn("compute-0001", names)
        self.assertIn("standby-01", names)
        self.assertEqual(self.url + "/vmotion/hostinfo", self.browser.url())
        row = '#hosts tr[data-host="compute-0001"]'
        cells = self.browser.texts(row + " td")
        self.assertEqual("nova", cells[2])
        self.assertTrue(cells[1], "a management IP")
        self.assertEqual(3, len(self.browser.find_all(row + " meter")))
        self.assertEqual("up", self.browser.text(row + " .s-up"))
        # Running / total instances, counted from the simulator's servers;
        # the host's networks: its management IP and its OVS agent's.
        host = self.database.host_get("compute-0001")
        self.assertLess(0, host.instances_total)
        self.assertEqual("%d / %d" % (host.instances_running,
                                      host.instances_total),
                         self.browser.text(row + " td.instances"))
        self.assertEqual(
            ["management: " + cells[1], "Open vSwitch agent: tunnel %s, "
             "physnet1 → br-ex" % cells[1]],
            self.browser.texts(row + " td.details .network"))
        # An admin: the API lets the session act.
        self.assertTrue(self.browser.find_all(
            row + ' td.actions button[data-action="drain"]'))
        self.browser.screenshot("hostinfo")
        # No script error, no blocked script or style (the strict CSP).
        self.assertEqual([], self.browser.console_messages())
        # The token lives in an HttpOnly cookie: the page's script cannot
        # read it.
        self.assertNotIn("vmotion_token",
                         self.browser.script("return document.cookie;"))

    def test_wrong_password_is_refused(self) -> None:
        self.log_in(password="wrong")
        message = self.browser.wait(
            lambda: self.browser.text("#login-error"), what="the refusal")
        self.assertIn("refused", message)
        self.browser.screenshot("login-refused")

    def test_tasks_update_without_reload(self) -> None:
        self.log_in()
        self.browser.wait(self.host_names, what="the hosts")
        self.browser.go(self.url + "/vmotion/migrate_task")
        rows = self.browser.wait(
            lambda: self.browser.find_all("#tasks tr[data-vmove]"),
            what="the stored vmoves")
        self.assertEqual(8, len(rows))
        # A mark on the page survives only if the page is not reloaded.
        self.browser.script("document.body.dataset.mark = 'same page';")
        self.fake_clock.advance(120)
        fresh = self.database.notification_create(
            constants.COMPUTE_HOST, "compute-0002", "fn-live",
            {"event": "DOWN"}, generated_time=self.fake_clock.now())
        self.database.vmoves_create(fresh.uuid, [{
            "instance_uuid": "30000000-0000-4000-8000-000000000000",
            "instance_name": "appears-live", "source_host": "compute-0002",
            "dest_host": "standby-01", "type": constants.EVACUATION,
            "status": constants.ONGOING}])
        selector = '#tasks tr[data-notification="%s"]' % fresh.uuid
        cells = self.browser.wait(lambda: self.browser.texts(
            selector + " td"), what="the new notification")
        self.assertIn("appears-live", cells)
        self.assertIn("standby-01", cells)
        self.assertEqual("same page", self.browser.script(
            "return document.body.dataset.mark;"))
        self.browser.screenshot("migrate_task")

    def test_older_tasks_on_demand(self) -> None:
        for index in range(55):
            self.fake_clock.advance(1)
            self.database.notification_create(
                constants.COMPUTE_HOST, "compute-0002", "older-%d" % index,
                {"event": "DOWN"}, generated_time=self.fake_clock.now())
        stored = len(self.database.notification_list())
        self.assertEqual(57, stored)
        self.log_in()
        self.browser.wait(self.host_names, what="the hosts")
        self.browser.go(self.url + "/vmotion/migrate_task")

        def tasks() -> int:
            return int(self.browser.script(
                "return new Set(Array.from(document.querySelectorAll("
                "'#tasks tr[data-notification]')).map("
                "r => r.dataset.notification)).size;"))
        self.browser.wait(lambda: tasks() == 50, what="the newest 50 tasks")
        self.browser.click_when("#older", "the older tasks button")
        self.browser.wait(lambda: tasks() == stored, what="every task")
        self.assertTrue(self.browser.wait(lambda: self.browser.script(
            "return document.getElementById('older').hidden;"),
            what="no older task left"))
        # The oldest, seeded first, is now on the page.
        self.assertTrue(self.browser.find_all(
            '#tasks tr[data-notification="%s"]' % self.seeded["big"].uuid))
        self.assertEqual([], self.browser.console_messages())

    def test_task_detail_and_timeline(self) -> None:
        self.log_in()
        self.browser.wait(self.host_names, what="the hosts")
        big = self.seeded["big"]
        self.browser.go(self.url + "/vmotion/tasks/" + big.uuid)
        bars = self.browser.wait(
            lambda: self.browser.find_all("#timeline svg rect.bar"),
            what="the timeline")
        self.assertEqual(7, len(bars))
        self.assertEqual(4, len(self.browser.find_all(
            "#timeline svg rect.s-succeeded")))
        self.assertEqual("compute-0001",
                         self.browser.text('#summary dd[data-key="host"]'))
        step = self.browser.wait(lambda: self.browser.texts(
            'details[data-vmove="%s"] tr[data-step] td'
            % self.seeded["moves"][0].uuid), what="the first move's steps")
        self.assertEqual(["EvacuateInstance", "1", "succeeded"], step[:3])
        self.assertEqual("ok", step[5])
        # An admin's actions on the task, and on each move by its status.
        self.assertEqual(["Abort", "Redo (1)", "Reset (1)", "Delete (6)"],
                         self.browser.wait(lambda: self.browser.texts(
                             "#task-actions button.act"),
                             what="the task's actions"))
        buttons = {move.uuid: self.browser.script(
            "return Array.from(document.querySelectorAll("
            "'details[data-vmove=\"%s\"] summary button.act'))"
            ".map(b => b.dataset.action);" % move.uuid)
            for move in self.seeded["moves"]}
        expected = {"succeeded": ["delete"], "ignored": ["delete"],
                    "failed": ["redo", "reset", "delete"], "pending": []}
        self.assertEqual({m.uuid: expected[m.status]
                          for m in self.seeded["moves"]}, buttons)
        self.browser.screenshot("task-detail")
        self.assertEqual([], self.browser.console_messages())

    def test_timeline_marks_the_detection(self) -> None:
        t0 = self.fake_clock.now()
        stamp = (t0 - datetime.timedelta(seconds=30)).isoformat()
        failure = self.database.notification_create(
            constants.COMPUTE_HOST, "compute-0003", "fn-timeline", {
                "detected_at": stamp + "Z",
                "evidence": {"heartbeat": (t0 - datetime.timedelta(
                    seconds=70)).isoformat(), "stale_for": 20.0}},
            generated_time=t0)
        self.assertTrue(self.database.notification_set_fenced(
            failure.uuid, t0 + datetime.timedelta(seconds=2)))
        for index in range(3):
            self.database.vmoves_create(failure.uuid, [{
                "instance_uuid": "40000000-0000-4000-8000-%012d" % index,
                "instance_name": "tl-%d" % index,
                "source_host": "compute-0003", "dest_host": "standby-01",
                "type": constants.EVACUATION,
                "status": constants.SUCCEEDED, "start_time": t0,
                "end_time": t0 + datetime.timedelta(seconds=10 + index)}])
        self.log_in()
        self.browser.wait(self.host_names, what="the hosts")
        self.browser.go(self.url + "/vmotion/tasks/" + failure.uuid)
        labels = self.browser.wait(lambda: self.browser.script(
            "return Array.from(document.querySelectorAll("
            "'#timeline svg circle')).map(c => c.getAttribute('class'));"),
            what="the timeline's marks")
        self.assertEqual(["mark m-heartbeat_lost", "mark m-suspect",
                          "mark m-detected", "mark m-received",
                          "mark m-fenced", "mark m-all_running"], labels)
        xs = self.browser.script(
            "return Array.from(document.querySelectorAll("
            "'#timeline svg circle')).map(c => +c.getAttribute('cx'));")
        self.assertEqual(sorted(xs), xs, "marks in time order")
        self.assertEqual(3, len(self.browser.find_all(
            "#timeline svg rect.s-succeeded")))
        self.browser.screenshot("task-timeline")

    def test_switch_to_chinese(self) -> None:
        self.log_in()
        self.browser.wait(self.host_names, what="the hosts")
        self.assertEqual("Hosts", self.browser.text("h1"))
        self.browser.click('#languages a[data-lang="zh_CN"]')
        self.browser.wait(lambda: self.browser.text("h1") == "主机信息",
                          what="the Chinese page")
        self.assertIn("compute-0001", self.browser.wait(
            self.host_names, what="the hosts"))
        self.assertEqual("正常", self.browser.text(
            '#hosts tr[data-host="compute-0001"] .s-up'))
        self.assertEqual("一键迁移", self.browser.text(
            '#hosts tr[data-host="compute-0001"] button[data-action="drain"]'))
        self.browser.screenshot("hostinfo-zh_CN")
        # The choice is remembered on the next page.
        self.browser.go(self.url + "/vmotion/migrate_task")
        self.assertEqual("迁移调度", self.browser.text("h1"))


class TestAcceptLanguage(ConsoleTestCase):

    language = "zh-CN,zh"

    def test_chinese_browser_gets_chinese(self) -> None:
        self.log_in()
        self.browser.wait(lambda: self.browser.text("h1") == "主机信息",
                          what="the Chinese page")
        self.browser.go(self.url + "/vmotion/tasks/%d"
                        % self.seeded["small"].id)
        self.browser.wait(lambda: self.browser.find_all("details.vmove"),
                          what="the task's move")
        self.assertEqual("任务详情", self.browser.text("h1").split()[0])
        self.browser.screenshot("task-detail-zh_CN")


class TestRefusedReader(ConsoleTestCase):

    def test_a_member_reads_nothing(self) -> None:
        # A project member: a valid token the API's policy refuses.
        self.log_in("member", "member", "demo")
        message = self.browser.wait(
            lambda: self.browser.text("#status.error"), what="the refusal")
        self.assertIn("Forbidden", message)
        self.assertEqual([], self.host_names())
        self.browser.screenshot("hostinfo-forbidden")


class TestReader(ConsoleTestCase):
    """A project reader whom a policy file lets read the whole cloud."""

    def setUp(self) -> None:
        super().setUp()
        folder = self.useFixture(fixtures.TempDir()).path
        with open(os.path.join(folder, "readers.yaml"), "w") as f:
            f.write('"vmotiond:reader": "role:admin or role:reader"\n')
        # Read at the first check, unlike policy_file.
        self.conf_fixture.set("policy_dirs", [folder], "oslo_policy")

    def test_a_reader_sees_no_action_and_is_refused(self) -> None:
        self.log_in("reader", "reader", "admin")
        self.assertIn("compute-0001", self.browser.wait(
            self.host_names, what="the hosts"))
        self.assertEqual([], self.browser.find_all("td.actions"))
        self.assertEqual([], self.browser.find_all("button.act"))
        self.assertIsNone(self.browser.script(
            "return document.body.dataset.csrf || null;"))
        self.browser.screenshot("hostinfo-reader")
        self.browser.go(self.url + "/vmotion/migrate_task")
        self.browser.wait(lambda: self.browser.find_all(
            "#tasks tr[data-vmove]"), what="the vmoves")
        self.assertEqual([], self.browser.find_all("#selection"))
        self.assertEqual([], self.browser.find_all("button.act"))
        self.browser.go(self.url + "/vmotion/tasks/" +
                        self.seeded["big"].uuid)
        self.browser.wait(lambda: self.browser.find_all(
            "details[data-vmove]"), what="the task's moves")
        self.assertEqual([], self.browser.find_all("#task-actions"))
        self.assertEqual([], self.browser.find_all("button.act"))
        # With the session's own CSRF token, the API refuses anyway.
        token = self.browser.cookie("vmotion_token")
        response = requests.post(
            self.url + "/vmotion/api/v1/operator/hosts/compute-0001/action",
            json={"action": "drain"}, timeout=10, headers={
                "Origin": self.url, "Cookie": "vmotion_token=" + token,
                "X-CSRF-Token": security.csrf_token(token),
                "OpenStack-API-Version": "instance-ha 1.6"})
        self.assertEqual(403, response.status_code, response.text)
        self.assertIn("vmotiond:operator",
                      response.json()["forbidden"]["message"])


class TestNoauth(base.ApiServerTestCase):
    """The demo's console: no login, straight to the pages."""

    def test_pages_without_login(self) -> None:
        webdriver.executables()
        self.start_api("noauth")
        browser = self.useFixture(webdriver.Browser())
        browser.go(self.url + "/vmotion/")
        names = browser.wait(lambda: browser.texts("#hosts tbody td.name"),
                             what="the hosts")
        self.assertEqual(["compute-0001", "compute-0002"], names)
        self.assertEqual([], browser.find_all("form.login"))
        self.assertEqual([], browser.find_all("form.logout"))
        browser.go(self.url + "/vmotion/migrate_task")
        self.assertEqual(8, len(browser.wait(
            lambda: browser.find_all("#tasks tr[data-vmove]"),
            what="the vmoves")))
        self.assertEqual([], browser.console_messages())
