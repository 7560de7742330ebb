"""The console in front of the real API: who gets the action buttons, and
an action with the page's CSRF token reaching the engine."""

import json
import re

import webob

from tests.unit.api.handlers import test_operator
from vmotiond.api import deploy

DATA_CSRF = re.compile(r'data-csrf="([0-9a-f]{64})"')


class TestConsoleOverTheApi(test_operator.OperatorTestCase):

    def page(self, app: object = None) -> webob.Response:
        req = webob.Request.blank("/vmotion/hostinfo")
        return req.get_response(app or self.app)

    def test_an_admin_gets_buttons_and_acts(self) -> None:
        page = self.page()
        token = DATA_CSRF.search(page.text)
        self.assertIsNotNone(token)
        # Deciding who sees buttons asks the engine nothing.
        self.assertEqual([], self.engine.asked)
        session = page.headers["Set-Cookie"].split(";")[0]
        req = webob.Request.blank(
            "/vmotion/api/v1/operator/hosts/node1/action", method="POST",
            body=json.dumps({"action": "drain"}).encode(), headers={
                "Content-Type": "application/json", "Cookie": session,
                "Origin": "http://localhost",
                "X-CSRF-Token": token.group(1) if token else "",
                "OpenStack-API-Version": "instance-ha 1.6"})
        response = req.get_response(self.app)
        self.assertEqual(202, response.status_int, response.text)
        self.assertEqual([("host_drain", {"host": "node1"})],
                         self.engine.asked)

    def test_no_buttons_when_the_policy_refuses(self) -> None:
        self.policy.set_rules({"vmotiond:operator": "!"})
        page = self.page()
        self.assertEqual(200, page.status_int)
        self.assertIsNone(DATA_CSRF.search(page.text))
        self.assertNotIn("Set-Cookie", page.headers)

    def test_no_buttons_when_actions_are_off(self) -> None:
        self.conf_fixture.set("operator_actions", False, "api")
        app = deploy.deploy(self.conf, self.database, self.policy.policy,
                            engine=self.engine)
        self.assertIsNone(DATA_CSRF.search(self.page(app).text))
        self.assertEqual([], self.engine.asked)

    def test_the_instance_pages_carry_their_actions_for_an_admin(self) -> None:
        script = 'src="/vmotion/static/instance_actions.js"'
        for path in ("/vmotion/desktop_migration",
                     "/vmotion/host_desktop_migration/node1"):
            page = webob.Request.blank(path).get_response(self.app).text
            self.assertIn(script, page)
            self.assertIsNotNone(DATA_CSRF.search(page))
        self.policy.set_rules({"vmotiond:operator": "!"})
        page = webob.Request.blank(
            "/vmotion/desktop_migration").get_response(self.app).text
        self.assertNotIn(script, page)

    def test_sync_and_the_task_s_actions_only_for_an_admin(self) -> None:
        pages = {"/vmotion/hostinfo": 'id="sync"',
                 "/vmotion/tasks/n-1": 'id="task-actions"'}
        for path, mark in pages.items():
            page = webob.Request.blank(path).get_response(self.app).text
            self.assertIn(mark, page)
        self.policy.set_rules({"vmotiond:operator": "!"})
        for path, mark in pages.items():
            page = webob.Request.blank(path).get_response(self.app).text
            self.assertNotIn(mark, page)
            self.assertIsNone(DATA_CSRF.search(page))

    def test_the_console_syncs_through_its_proxy(self) -> None:
        self.engine.answer = {"created": 0, "updated": 3, "deleted": 0}
        page = self.page()
        token = DATA_CSRF.search(page.text)
        session = page.headers["Set-Cookie"].split(";")[0]
        req = webob.Request.blank(
            "/vmotion/api/v1/operator/hosts/action", method="POST",
            body=json.dumps({"action": "sync"}).encode(), headers={
                "Content-Type": "application/json", "Cookie": session,
                "Origin": "http://localhost",
                "X-CSRF-Token": token.group(1) if token else "",
                "OpenStack-API-Version": "instance-ha 1.7"})
        response = req.get_response(self.app)
        self.assertEqual(200, response.status_int, response.text)
        self.assertEqual({"sync": self.engine.answer}, response.json)
        self.assertEqual([("host_sync", {})], self.engine.asked)
