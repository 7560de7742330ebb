"""Granted rules kept for a second, until the rules change; refusals not."""

import os
from unittest import mock

from oslo_context import context
from oslo_policy import policy as oslo_policy
import testtools

from tests.fixtures import conf as conf_fixture
from vmotiond import clock
from vmotiond.api import policies
from vmotiond.api import policy


def _ctx(*roles: str, project: str = "p") -> context.RequestContext:
    return context.RequestContext(roles=list(roles), project_id=project,
                                  user_id="u")


class TestDecisionKey(testtools.TestCase):

    def test_depends_on_rule_target_and_credentials(self) -> None:
        base = policy.decision_key("r", {"project_id": "p"},
                                   {"roles": ["admin"], "x": None})
        self.assertEqual(base, policy.decision_key(
            "r", {"project_id": "p"}, {"x": None, "roles": ["admin"]}))
        for other in (
                policy.decision_key("s", {"project_id": "p"},
                                    {"roles": ["admin"], "x": None}),
                policy.decision_key("r", {"project_id": "q"},
                                    {"roles": ["admin"], "x": None}),
                policy.decision_key("r", {"project_id": "p"},
                                    {"roles": ["reader"], "x": None}),
                policy.decision_key("r", {"project_id": "p"},
                                    {"roles": ["admin"], "x": 1})):
            self.assertNotEqual(base, other)

    def test_role_order_matters_as_given_and_sets_do_not(self) -> None:
        self.assertEqual(policy.decision_key("r", {}, {"s": {"b", "a"}}),
                         policy.decision_key("r", {}, {"s": {"a", "b"}}))
        self.assertEqual(policy.decision_key("r", {}, {"m": {"k": [1]}}),
                         policy.decision_key("r", {}, {"m": {"k": [1]}}))

    def test_unhashable_values_are_not_kept(self) -> None:
        self.assertIsNone(policy.decision_key("r", {"t": bytearray()}, {}))


class TestPolicyCache(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        self.fixture = self.useFixture(conf_fixture.Conf())
        self.conf = self.fixture.conf
        self.clock = clock.FakeClock()
        self.checker = policy.Policy(self.conf, clock=self.clock)
        self.asked = mock.patch.object(
            self.checker.enforcer, "authorize",
            wraps=self.checker.enforcer.authorize).start()
        self.addCleanup(mock.patch.stopall)

    def test_granted_is_answered_again_without_asking(self) -> None:
        admin = _ctx("admin")
        for _ in range(3):
            self.checker.authorize(admin, policies.VMOVES_LIST)
            self.assertTrue(self.checker.allows(admin, policies.READER))
        self.assertEqual(2, self.asked.call_count)

    def test_another_caller_or_rule_is_asked(self) -> None:
        self.checker.authorize(_ctx("admin"), policies.VMOVES_LIST)
        self.checker.authorize(_ctx("admin", project="q"),
                               policies.VMOVES_LIST)
        self.checker.authorize(_ctx("admin"), policies.HOSTS_LIST)
        self.assertEqual(3, self.asked.call_count)

    def test_refusals_are_asked_every_time(self) -> None:
        for _ in range(2):
            self.assertRaises(oslo_policy.PolicyNotAuthorized,
                              self.checker.authorize, _ctx("member"),
                              policies.VMOVES_LIST)
            self.assertFalse(self.checker.allows(_ctx("reader"),
                                                 policies.READER))
        self.assertEqual(4, self.asked.call_count)

    def test_asked_again_once_the_recheck_time_passed(self) -> None:
        admin = _ctx("admin")
        self.checker.authorize(admin, policies.VMOVES_LIST)
        self.clock.advance(policy.RECHECK_SECONDS - 0.01)
        self.checker.authorize(admin, policies.VMOVES_LIST)
        self.assertEqual(1, self.asked.call_count)
        self.clock.advance(0.01)
        self.checker.authorize(admin, policies.VMOVES_LIST)
        self.assertEqual(2, self.asked.call_count)

    def test_changed_rules_apply_at_once(self) -> None:
        admin = _ctx("admin")
        self.checker.authorize(admin, policies.HOSTS_LIST)
        self.checker.enforcer.set_rules(oslo_policy.Rules.from_dict(
            {policies.HOSTS_LIST: "!"}), overwrite=False, use_conf=False)
        self.assertRaises(oslo_policy.PolicyNotAuthorized,
                          self.checker.authorize, admin, policies.HOSTS_LIST)

    def test_an_edited_policy_file_applies_after_the_recheck(self) -> None:
        path = os.path.join(self.conf.state_path, "policy.yaml")
        with open(path, "w") as stream:
            stream.write('"vmotiond:hosts:index": "role:admin"\n')
        self.fixture.set("policy_file", path, "oslo_policy")
        self.checker = policy.Policy(self.conf, clock=self.clock)
        admin = _ctx("admin")
        self.checker.authorize(admin, policies.HOSTS_LIST)
        with open(path, "w") as stream:
            stream.write('"vmotiond:hosts:index": "!"\n')
        stat = os.stat(path)
        os.utime(path, (stat.st_atime, stat.st_mtime + 5))
        self.checker.authorize(admin, policies.HOSTS_LIST)
        self.clock.advance(policy.RECHECK_SECONDS)
        self.assertRaises(oslo_policy.PolicyNotAuthorized,
                          self.checker.authorize, admin, policies.HOSTS_LIST)

    def test_a_plain_enforcer_is_always_asked(self) -> None:
        plain = oslo_policy.Enforcer(self.conf)
        plain.register_defaults(policies.list_rules())
        checker = policy.Policy(self.conf, enforcer=plain)
        with mock.patch.object(plain, "authorize",
                               wraps=plain.authorize) as asked:
            for _ in range(2):
                checker.authorize(_ctx("admin"), policies.HOSTS_LIST)
        self.assertEqual(2, asked.call_count)
