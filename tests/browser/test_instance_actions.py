"""The instance pages' action buttons in headless Chromium, against the
split deployment of ``test_actions``: migrate a selection to an accepted
host, then reset the state of one instance."""

from tests.browser import test_actions

PICK = '#instances tr[data-instance="%s"] input.pick'
BUTTON = '#instance-actions button[data-action="%s"]'


class InstanceActionsTest(test_actions.ActionsCase):

    def host_page(self, host: str) -> None:
        self.browser.go(self.url + "/host_desktop_migration/" + host)
        self.browser.wait(lambda: self.browser.find_all(
            "#instances tr[data-instance]"), what="the instances of " + host)

    def act(self, action: str) -> str:
        self.browser.click_when(BUTTON % action, "the button " + action)
        self.browser.click_when("#confirm-yes", "the confirmation")
        return self.browser.wait(lambda: self.browser.text("#answer"),
                                 timeout=30, what="the engine's answer")

    def test_migrate_two_instances_then_reset_one(self) -> None:
        self.start()
        self.wait(lambda: {h["monitor_state"] for h in self.dep.api(
            "/v1/hosts")["hosts"]} == {"up"}, 60, "every host up")
        servers = self.sim.servers()
        source = self.choose_victim(servers)
        # Two instances of no server group: the targets are accepted for
        # each instance, an anti-affinity group refuses them together.
        grouped = {member for group in self.sim.conn.compute.server_groups(
            all_projects=True) for member in group.member_ids}
        two = sorted(sid for sid, s in servers.items()
                     if s.compute_host == source and sid not in grouped)[:2]
        self.assertEqual(2, len(two))
        self.host_page(source)
        for sid in two:
            self.browser.click(PICK % sid)
        self.browser.wait(lambda: self.browser.script(
            "return JSON.parse(document.getElementById('instance-actions')"
            ".dataset.instances || '[]').length;") == 2,
            what="the targets of both instances")
        targets = self.browser.script(
            "return Array.from(document.querySelectorAll("
            "'#migrate-target option')).map(o => o.value);")
        self.assertNotIn(source, targets)
        # The accepted target with the most free memory.
        free = self.browser.script(
            "return Object.fromEntries(Array.from(document.querySelectorAll("
            "'#targets tr[data-target]')).map(r => [r.dataset.target, "
            "Number(r.cells[3].textContent) || 0]));")
        self.assertEqual(set(targets), set(free))
        target = max(sorted(targets), key=lambda host: free[host])
        self.browser.script(
            "document.getElementById('migrate-target').value = '%s';"
            % target)
        for action in ("migrate-planner", "reset-active", "reset-error"):
            self.assertTrue(self.browser.find_all(BUTTON % action))
        self.browser.screenshot("instances-actions")
        answer = self.act("migrate-to")
        self.assertTrue(answer.startswith(
            "Migrate to %s: started task " % target), answer)
        self.assertIn("custom migration", answer)
        self.wait(lambda: all(
            self.sim.servers()[sid].compute_host == target for sid in two),
            120, "both instances on " + target)

        self.host_page(target)
        self.browser.wait(lambda: all(self.browser.find_all(PICK % sid)
                                      for sid in two),
                          what="the moved instances on the target's page")
        self.browser.click(PICK % two[0])
        answer = self.act("reset-error")
        self.assertTrue(answer.startswith("Reset state to error: "), answer)
        self.assertNotIn("refused", answer)
        self.wait(lambda: self.sim.servers()[two[0]].status == "ERROR",
                  60, "the instance in error")
        self.assertNotEqual("ERROR", self.sim.servers()[two[1]].status)
        self.browser.screenshot("instances-reset")

        # Back to active, then the planner chooses where the other goes.
        self.host_page(target)
        self.browser.click_when(PICK % two[0], "the instance in error")
        answer = self.act("reset-active")
        self.assertTrue(answer.startswith("Reset state to active: started "
                                          "task "), answer)
        self.wait(lambda: self.sim.servers()[two[0]].status == "ACTIVE",
                  60, "the instance active again")
        self.host_page(target)
        self.browser.click_when(PICK % two[1], "the other instance")
        answer = self.act("migrate-planner")
        self.assertTrue(answer.startswith("Let the planner choose: started "
                                          "task "), answer)
        self.assertIn("custom migration", answer)
        self.wait(lambda: self.sim.servers()[two[1]].compute_host
                  not in (target, None), 120, "the planner's move away from "
                  + target)
        self.assertEqual(target, self.sim.servers()[two[0]].compute_host)
        self.browser.screenshot("instances-planner")
        self.assertEqual([], self.browser.console_messages())

    def test_custom_migration_of_a_host_starts_with_its_instances(
            self) -> None:
        self.start()
        self.wait(lambda: {h["monitor_state"] for h in self.dep.api(
            "/v1/hosts")["hosts"]} == {"up"}, 60, "every host up")
        servers = self.sim.servers()
        source = self.choose_victim(servers)
        on_source = {sid for sid, s in servers.items()
                     if s.compute_host == source}
        self.browser.go(self.url + "/hostinfo")
        self.browser.click_when(
            test_actions.ROW % source +
            ' button[data-action="custom-migrate"]', "the custom migration")
        self.browser.wait(lambda: self.browser.url().endswith(
            "/vmotion/host_desktop_migration/%s?select=all" % source),
            what="the host's instances")
        # Every instance of the host ticked, and the planner's judgement
        # of that selection handed to the actions.
        chosen = self.browser.wait(lambda: self.browser.script(
            "return JSON.parse(document.getElementById('instance-actions')"
            ".dataset.instances || '[]');"), what="the selection's targets")
        self.assertEqual(on_source, set(chosen))
        self.assertTrue(self.browser.script(
            "return document.getElementById('select-all').checked;"))
        self.assertTrue(self.browser.find_all(BUTTON % "migrate-to"))
        self.assertEqual([], self.browser.console_messages())
