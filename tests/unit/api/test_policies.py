"""The policy in code, its defaults and overrides from a file."""

import os

from oslo_context import context
from oslo_policy import policy as oslo_policy
import testtools

from tests.fixtures import conf as conf_fixture
from vmotiond.api import policies
from vmotiond.api import policy


def _ctx(*roles: str) -> context.RequestContext:
    return context.RequestContext(roles=list(roles), project_id="p",
                                  user_id="u")


class TestPolicies(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        self.fixture = self.useFixture(conf_fixture.Conf())
        self.conf = self.fixture.conf

    def test_every_rule_defaults_to_reader(self) -> None:
        rules = policies.list_rules()
        names = [r.name for r in rules]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual("role:reader or role:admin", rules[0].check_str)
        for rule in rules[1:]:
            if rule.name == policies.ALERTS_LIST:
                continue            # admin only (test_alerts_are_admin_only)
            self.assertEqual("rule:vmotiond:reader", rule.check_str)
            self.assertTrue(rule.description)

    def test_reader_and_admin_allowed_others_refused(self) -> None:
        checker = policy.Policy(self.conf)
        for rule in policies.list_rules()[1:]:
            if rule.name == policies.ALERTS_LIST:
                continue
            checker.authorize(_ctx("reader"), rule.name)
            checker.authorize(_ctx("admin"), rule.name)
            self.assertRaises(oslo_policy.PolicyNotAuthorized,
                              checker.authorize, _ctx("member"), rule.name)
            self.assertRaises(oslo_policy.PolicyNotAuthorized,
                              checker.authorize, _ctx(), rule.name)

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
                          _ctx("reader"), policies.VMOVES_LIST)
        checker.authorize(_ctx("admin"), policies.VMOVES_LIST)
        checker.authorize(_ctx("auditor"), policies.HOSTS_LIST)

    def test_get_enforcer_for_the_oslopolicy_tools(self) -> None:
        enforcer = policy.get_enforcer()
        self.assertIn(policies.READER, enforcer.registered_rules)
