"""The policy in code, its defaults and overrides from a file."""

import os

from oslo_context import context
from oslo_policy import policy as oslo_policy
import testtools

from tests.fixtures import conf as conf_fixture
from vmotiond.api import policies
from vmotiond.api import policy


def _ctx(*roles: str, system: bool = False) -> context.RequestContext:
    if system:
        return context.RequestContext(roles=list(roles), user_id="u",
                                      system_scope="all")
    return context.RequestContext(roles=list(roles), project_id="p",
                                  user_id="u")


ALL_PROJECTS = (policies.NOTIFICATIONS_LIST, policies.NOTIFICATIONS_SHOW,
                policies.HOSTS_LIST, policies.HOSTS_SHOW,
                policies.OPERATOR_INSTANCES_READ, policies.CAPACITY_SHOW)
OWN_PROJECT = (policies.VMOVES_LIST, policies.VMOVES_SHOW,
               policies.STEPS_LIST)


class TestPolicies(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        self.fixture = self.useFixture(conf_fixture.Conf())
        self.conf = self.fixture.conf

    def test_defaults_are_admin_or_system_reader(self) -> None:
        rules = {r.name: r for r in policies.list_rules()}
        self.assertEqual(len(rules), len(policies.list_rules()))
        self.assertEqual("role:admin or (role:reader and system_scope:all)",
                         rules[policies.READER].check_str)
        self.assertEqual("!", rules[policies.PROJECT_READER].check_str)
        self.assertEqual("role:admin", rules[policies.ALERTS_LIST].check_str)
        for name in ALL_PROJECTS:
            self.assertEqual("rule:vmotiond:reader", rules[name].check_str)
        for name in OWN_PROJECT:
            self.assertEqual("rule:vmotiond:reader or "
                             "rule:vmotiond:project_reader",
                             rules[name].check_str)
        for rule in rules.values():
            self.assertTrue(rule.description)

    def test_admin_and_system_reader_allowed_project_reader_refused(
            self) -> None:
        checker = policy.Policy(self.conf)
        for name in ALL_PROJECTS + OWN_PROJECT:
            checker.authorize(_ctx("admin"), name)
            checker.authorize(_ctx("reader", system=True), name)
            for refused in (_ctx("reader"), _ctx("member", "reader"),
                            _ctx("member", system=True), _ctx()):
                self.assertRaises(oslo_policy.PolicyNotAuthorized,
                                  checker.authorize, refused, name)

    def test_project_reader_rule_opens_the_vmove_rules_only(self) -> None:
        path = os.path.join(self.conf.state_path, "policy.yaml")
        with open(path, "w") as stream:
            stream.write('"vmotiond:project_reader": "role:reader"\n')
        self.fixture.set("policy_file", path, "oslo_policy")
        checker = policy.Policy(self.conf)
        for name in OWN_PROJECT:
            checker.authorize(_ctx("reader"), name)
        for name in ALL_PROJECTS:
            self.assertRaises(oslo_policy.PolicyNotAuthorized,
                              checker.authorize, _ctx("reader"), name)
        self.assertFalse(checker.allows(_ctx("reader"), policies.READER))
        self.assertTrue(checker.allows(_ctx("admin"), policies.READER))

    def test_alerts_are_admin_only(self) -> None:
        checker = policy.Policy(self.conf)
        checker.authorize(_ctx("admin"), policies.ALERTS_LIST)
        for roles in (("reader",), ("member",), ()):
            self.assertRaises(oslo_policy.PolicyNotAuthorized,
                              checker.authorize, _ctx(*roles),
                              policies.ALERTS_LIST)

    def test_policy_file_overrides(self) -> None:
        path = os.path.join(self.conf.state_path, "policy.yaml")
        with open(path, "w") as stream:
            stream.write('"vmotiond:reader": "role:admin"\n'
                         '"vmotiond:hosts:index": "role:auditor"\n')
        self.fixture.set("policy_file", path, "oslo_policy")
        checker = policy.Policy(self.conf)
        self.assertRaises(oslo_policy.PolicyNotAuthorized, checker.authorize,
                          _ctx("reader", system=True), policies.VMOVES_LIST)
        checker.authorize(_ctx("admin"), policies.VMOVES_LIST)
        checker.authorize(_ctx("auditor"), policies.HOSTS_LIST)

    def test_get_enforcer_for_the_oslopolicy_tools(self) -> None:
        enforcer = policy.get_enforcer()
        self.assertIn(policies.READER, enforcer.registered_rules)
