"""The console's action buttons in headless Chromium, against a split
deployment (``vmotiond-monitor``, ``vmotiond-engine``, ``vmotiond-api``
on MariaDB and RabbitMQ) next to ``vmotiond-sim``; the API without
Keystone, so the browser acts as an admin. Screenshots go to
``.browser-screenshots/``.
"""

import requests

from tests.browser import webdriver
from tests.functional.processes import cases

STANDBY = cases.STANDBY
ROW = '#hosts tr[data-host="%s"]'


class ActionsCase(cases.CloudTestCase):
    """The split deployment and a browser on its console."""

    def start(self, **overrides: dict[str, object]) -> None:
        webdriver.executables()
        options = self.dep.options(self.sim.clouds_yaml, self.sim.cloud_name)
        for group, values in overrides.items():
            options[group].update(values)
        self.dep.write_config(options)
        procs = {name: self.dep.start(name) for name in (
            "vmotiond-monitor", "vmotiond-engine", "vmotiond-api")}
        self.wait_started(procs["vmotiond-engine"])
        self.wait_started(procs["vmotiond-monitor"])
        self.url = "http://127.0.0.1:%d/vmotion" % self.dep.api_port
        self.browser = self.useFixture(webdriver.Browser())

    def set_standby(self) -> None:
        self.browser.go(self.url + "/hostinfo")
        self.browser.click_when(ROW % STANDBY +
                                ' button[data-action="role-standby"]',
                                "the role button")
        self.browser.wait(lambda: self.browser.find_all(
            ROW % STANDBY + " .s-standby"), what="the standby role shown")
        self.assertEqual("standby", self.dep.api(
            "/v1/hosts/%s" % STANDBY)["host"]["role"])


class ConsoleActionsTest(ActionsCase):

    def test_standby_then_a_recovery_seen_live(self) -> None:
        self.start()
        self.browser.go(self.url + "/hostinfo")
        self.browser.wait(lambda: len(self.browser.find_all(
            "#hosts tr[data-host] td.actions")) == 5, what="the buttons")
        self.set_standby()
        self.assertEqual("Set the role: done",
                         self.browser.text("#answer"))
        # The switch flips the other way now.
        self.assertTrue(self.browser.find_all(
            ROW % STANDBY + ' button[data-action="role-normal"]'))
        self.browser.screenshot("hostinfo-actions")
        self.assertEqual([], self.browser.console_messages())

        self.browser.go(self.url + "/migrate_task")
        self.browser.wait(lambda: self.browser.find_all("#selection"),
                          what="the tasks page")
        self.browser.script("document.body.dataset.mark = 'same page';")
        before = self.sim.servers()
        victim = self.choose_victim(before)
        moved = [sid for sid, s in before.items()
                 if s.compute_host == victim]
        self.sim.ctl("kill", victim)
        note = self.wait_notification_done(victim, 60)
        self.assertEqual("finished", note["status"], note["message"])
        rows = '#tasks tr[data-notification="%s"]' % \
            note["notification_uuid"]
        self.browser.wait(lambda: len(self.browser.find_all(
            rows + " td.result .s-succeeded")) == len(moved),
            what="every move of %s succeeded on the page" % victim)
        self.assertTrue(self.browser.find_all(rows + " .s-finished"))
        self.assertEqual("same page", self.browser.script(
            "return document.body.dataset.mark;"))
        self.browser.screenshot("migrate_task-recovered")

    def test_redo_a_failed_vmove(self) -> None:
        self.start(cloud={"api_retries": 0}, engine={"step_retries": 0})
        self.set_standby()
        self.sim.control("POST", "/faults", {
            "op": "compute.action.evacuate", "kind": "http_500"})
        victim = self.choose_victim(self.sim.servers())
        self.sim.ctl("kill", victim)
        note = self.wait_notification_done(victim, 60)
        self.assertEqual("failed", note["status"], note["message"])
        self.sim.control("DELETE", "/faults")
        failed = [v for v in self.vmoves(note["notification_uuid"])
                  if v["status"] == "failed"]
        self.assertTrue(failed)
        row = '#tasks tr[data-vmove="%s"]' % failed[0]["uuid"]

        # The task's page: the fencing on its timeline, then every failed
        # move redone with one button.
        self.browser.go(self.url + "/tasks/" + note["notification_uuid"])
        self.browser.wait(lambda: self.browser.find_all(
            "#timeline svg circle.m-fenced"), what="the fenced mark")
        self.assertIsNotNone(self.dep.api(
            "/v1/notifications/%s" % note["notification_uuid"],
            version="instance-ha 1.7")["notification"]["fenced_at"])
        redo = '#task-actions button[data-action="redo"]'
        self.assertEqual("Redo (%d)" % len(failed), self.browser.wait(
            lambda: self.browser.find_all(redo) and self.browser.text(redo),
            what="the redo button"))
        self.browser.click(redo)
        self.browser.wait(lambda: self.browser.text("#confirm-text"),
                          what="the confirmation")
        self.browser.screenshot("task-detail-confirm")
        self.browser.click("#confirm-yes")
        answer = self.browser.wait(lambda: self.browser.text("#answer"),
                                   what="the engine's answer")
        if len(failed) == 1:
            self.assertEqual(
                "Redo: accepted; this page shows its progress", answer)
        else:
            # The moves of one task are redone together, by one request.
            self.assertTrue(answer.startswith("Redo: started task host "
                                              "failure "), answer)
        for move in failed:
            self.browser.wait(lambda move=move: self.browser.find_all(
                'details[data-vmove="%s"] summary .s-succeeded'
                % move["uuid"]), timeout=60,
                what="the redone move %s succeeded" % move["uuid"])
        self.assertEqual([], self.browser.find_all(
            '#task-actions button[data-action="redo"]'))
        self.browser.screenshot("task-detail-redone")

        self.browser.go(self.url + "/migrate_task")
        self.browser.wait(lambda: self.browser.find_all(
            row + " td.result .s-succeeded"), what="the redone move listed")
        self.browser.screenshot("migrate_task-redone")

        # The engine's refusal is shown with its message.
        self.browser.script(
            "document.querySelector('#tasks tr[data-vmove=\"%s\"] "
            "input.pick').click();" % failed[0]["uuid"])
        self.browser.click('button[data-selected="redo"]')
        self.browser.click_when("#confirm-yes", "the confirmation")
        refusal = self.browser.wait(
            lambda: "refused" in self.browser.text("#answer")
            and self.browser.text("#answer"), what="the refusal")
        self.assertIn("only a failed vmove", refusal)
        # Chromium logs the refused request itself; nothing else.
        self.assertEqual([], [m for m in self.browser.console_messages()
                              if "status of 409 (Conflict)" not in m])

    def test_sync_from_openstack(self) -> None:
        # The monitor would sync only in an hour: the button does it now.
        self.start(monitor={"sync_interval": 3600})
        self.browser.go(self.url + "/hostinfo")
        known = self.browser.wait(lambda: len(self.browser.find_all(
            "#hosts tr[data-host]")), what="the hosts")
        self.sim.control("POST", "/hosts", {"name": "compute-new"})
        self.browser.click_when("#sync", "the sync button")
        answer = self.browser.wait(lambda: self.browser.text("#answer"),
                                   what="the engine's answer")
        self.assertEqual("Sync from OpenStack: 1 created, %d updated, "
                         "0 deleted" % known, answer)
        self.browser.wait(lambda: self.browser.find_all(
            ROW % "compute-new"), what="the new host listed")
        self.assertEqual("compute-new", self.dep.api(
            "/v1/hosts/compute-new")["host"]["name"])
        self.browser.script("document.querySelector('%s')"
                            ".scrollIntoView({block: 'center'});"
                            % (ROW % "compute-new"))
        self.browser.screenshot("hostinfo-synced")
        self.assertEqual([], self.browser.console_messages())

    def test_forged_actions_are_refused(self) -> None:
        self.start()
        action = self.url + "/api/v1/operator/hosts/%s/action" % STANDBY
        body = {"action": "set", "role": "standby"}
        headers = {"OpenStack-API-Version": "instance-ha 1.6"}
        # From another site, and from the console's origin without the
        # session's token: refused before the API.
        for extra in ({"Origin": "http://evil.test"},
                      {"Origin": "http://127.0.0.1:%d" % self.dep.api_port},
                      {"Origin": "http://127.0.0.1:%d" % self.dep.api_port,
                       "X-CSRF-Token": "guessed"}):
            response = requests.post(action, json=body, timeout=10,
                                     headers={**headers, **extra})
            self.assertEqual(403, response.status_code, extra)
        # A page's script without the token is refused too.
        self.browser.go(self.url + "/hostinfo")
        self.browser.wait(lambda: self.browser.find_all("td.actions"),
                          what="the buttons")
        status = self.browser.script(
            "return fetch('/vmotion/api/v1/operator/hosts/%s/action', "
            "{method: 'POST', headers: {'Content-Type': 'application/json',"
            " 'OpenStack-API-Version': 'instance-ha 1.6'}, body: "
            "JSON.stringify({action: 'set', role: 'standby'})})"
            ".then(r => r.status);" % STANDBY)
        self.assertEqual(403, status)
        self.assertEqual("normal", self.dep.api(
            "/v1/hosts/%s" % STANDBY)["host"]["role"])

    def test_drain_then_abort(self) -> None:
        self.start()
        self.set_standby()
        self.wait(lambda: {h["monitor_state"] for h in self.dep.api(
            "/v1/hosts")["hosts"]} == {"up"}, 60, "every host up")
        # The moves stay in flight until released.
        for op in ("live_migrate", "migrate"):
            self.sim.control("PUT", "/hold/" + op)
        victim = self.choose_victim(self.sim.servers())
        self.browser.click_when(ROW % victim + ' button[data-action="drain"]',
                                "the drain button")
        question = self.browser.wait(
            lambda: self.browser.text("#confirm-text"),
            what="the confirmation")
        self.assertTrue(question.endswith(" " + victim), question)
        self.browser.screenshot("hostinfo-confirm")
        self.browser.click("#confirm-yes")
        answer = self.browser.wait(
            lambda: "host drain" in self.browser.text("#answer")
            and self.browser.text("#answer"), what="the started task")
        self.assertTrue(answer.startswith("Migrate all: started task "),
                        answer)
        task = self.browser.script(
            "return document.querySelector('#answer a').getAttribute('href');")
        note_uuid = task.rsplit("/", 1)[1]

        self.browser.go(self.url + "/migrate_task")
        rows = '#tasks tr[data-notification="%s"]' % note_uuid
        self.browser.click_when(rows + ' button[data-action="abort"]',
                                "the abort button")
        self.browser.click_when("#confirm-yes", "the confirmation")
        self.browser.wait(lambda: self.browser.find_all(
            rows + " .s-aborted"), what="the task aborted on the page")
        self.assertEqual("Abort: done", self.browser.text("#answer"))
        self.assertEqual("aborted", self.dep.api(
            "/v1/notifications/%s" % note_uuid)["notification"]["status"])
        self.assertEqual([], self.browser.find_all(
            rows + ' button[data-action="abort"]'))
        self.browser.screenshot("migrate_task-aborted")
        for op in ("live_migrate", "migrate"):
            self.sim.control("DELETE", "/hold/" + op)
