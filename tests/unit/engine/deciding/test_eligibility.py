"""The eligibility table, case by case, against the rule stated again."""

import itertools

import testtools

from tests.unit.engine import fakes
from vmotiond import constants
from vmotiond.engine.deciding import eligibility as el

RECOVERY, DRAIN, MIGRATION, MOVE_BACK = (
    constants.COMPUTE_HOST, constants.HOST_DRAIN,
    constants.CUSTOM_MIGRATION, constants.MOVE_BACK)
OURS = "vmotiond: standby host, kept out of scheduling"
THEIRS = "broken disk"

# The dimensions of a host record and of the move.
KINDS = (RECOVERY, DRAIN, MIGRATION, MOVE_BACK)
ROLES = (constants.ROLE_NORMAL, constants.ROLE_STANDBY)
SERVICES = (None,) + tuple(itertools.product(
    ("up", "down"),                    # Nova's state
    (False, True),                     # forced down
    ("enabled", "disabled"),           # status
    (None, OURS, THEIRS)))             # disabled reason
MONITOR_STATES = (None,) + constants.HOST_STATES   # None: not recorded
MAINTENANCE = (False, True)
ZONES = (None, "az1", "az2")           # the instance's; the host is in az1
CAPACITY = (False, True)

# Which reason wins when several hold: the first of these.
PRECEDENCE = (el.UNKNOWN, el.MAINTENANCE, el.OPERATOR_DISABLED, el.MONITOR,
              el.UNHEALTHY, el.DOWN, el.DISABLED, el.ZONE, el.CAPACITY)


def _violations(kind, role, service, monitor, maintenance, zone, capacity):
    """Every reason that holds, stated from the rule, not from the code."""
    if service is None:
        return {el.UNKNOWN} | ({el.MAINTENANCE} if maintenance else set())
    state, forced, status, reason = service
    up = state == "up" and not forced
    by_operator = status == "disabled" and (
        reason is None or not reason.startswith("vmotiond"))
    out = set()
    if maintenance:
        out.add(el.MAINTENANCE)
    if by_operator:
        out.add(el.OPERATOR_DISABLED)
    if kind == MOVE_BACK:
        healthy = monitor in ("recovered", "up") or (monitor is None and up)
        if not healthy:
            out.add(el.UNHEALTHY)
        return out
    if monitor in ("suspect", "down", "fenced", "recovering", "maintenance",
                   "disabled"):
        out.add(el.MONITOR)
    if not up:
        out.add(el.DOWN)
    if status == "disabled" and role != "standby":
        out.add(el.DISABLED)
    if zone not in (None, "az1"):
        out.add(el.ZONE)
    if not capacity:
        out.add(el.CAPACITY)
    return out


def _facts(role, service, monitor, maintenance, capacity):
    svc = None
    if service is not None:
        state, forced, status, reason = service
        svc = fakes.service("h", zone="az1", state=state, status=status,
                            forced_down=forced, reason=reason)
    return el.HostFacts(svc, role, maintenance, monitor,
                        fakes.capacity("h") if capacity else None)


class EligibilityTableTest(testtools.TestCase):

    def test_every_case(self):
        wrong = []
        cases = list(itertools.product(KINDS, ROLES, SERVICES,
                                       MONITOR_STATES, MAINTENANCE, ZONES,
                                       CAPACITY))
        for case in cases:
            kind, role, service, monitor, maintenance, zone, capacity = case
            expected = _violations(*case)
            got = el.refusal(kind, _facts(role, service, monitor,
                                          maintenance, capacity), zone)
            if not expected:
                if got is not None:
                    wrong.append((case, "refused: %s" % got.message))
                continue
            first = next(code for code in PRECEDENCE if code in expected)
            if got is None or got.code != first:
                wrong.append((case, "want %s, got %s" % (
                    first, got and got.code)))
        self.assertEqual(4 * 2 * 25 * 9 * 2 * 3 * 2, len(cases))
        self.assertEqual([], wrong[:10], "%d wrong cases" % len(wrong))

    def test_recovery_drain_and_migration_agree(self):
        for case in itertools.product(ROLES, SERVICES, MONITOR_STATES,
                                      MAINTENANCE, ZONES, CAPACITY):
            role, service, monitor, maintenance, zone, capacity = case
            facts = _facts(role, service, monitor, maintenance, capacity)
            answers = {el.refusal(kind, facts, zone)
                       for kind in (RECOVERY, DRAIN, MIGRATION)}
            self.assertEqual(1, len(answers), case)


class EligibilityCasesTest(testtools.TestCase):
    """The cases the issue names, with their sentences."""

    def standby(self, reason, monitor):
        return el.HostFacts(
            fakes.service("sb", status="disabled", reason=reason),
            constants.ROLE_STANDBY, False, monitor, fakes.capacity("sb"))

    def test_standby_disabled_by_vmotiond_receives(self):
        facts = self.standby(OURS, constants.HOST_UP)
        for kind in (RECOVERY, DRAIN, MIGRATION):
            self.assertIsNone(el.refusal(kind, facts, "az1"), kind)

    def test_standby_disabled_by_an_operator_never_receives(self):
        for monitor in (constants.HOST_DISABLED, constants.HOST_UP, None):
            facts = self.standby(THEIRS, monitor)
            for kind in KINDS:
                got = el.refusal(kind, facts, "az1")
                self.assertEqual(el.OPERATOR_DISABLED, got.code, kind)
                self.assertEqual("its compute service is disabled (broken "
                                 "disk): an operator's, not vmotiond's",
                                 got.message)

    def test_standby_disabled_without_reason_is_an_operators(self):
        got = el.refusal(RECOVERY, self.standby(None, None))
        self.assertEqual(el.OPERATOR_DISABLED, got.code)
        self.assertIn("(no reason given)", got.message)

    def test_messages(self):
        svc = fakes.service
        cases = (
            (el.HostFacts(None), "Nova has no compute service on it"),
            (el.HostFacts(svc("h"), maintenance=True),
             "it is in maintenance"),
            (el.HostFacts(svc("h"), monitor_state="suspect"),
             "the monitor has it suspect"),
            (el.HostFacts(svc("h", forced_down=True)),
             "its compute service is down"),
            (el.HostFacts(svc("h", status="disabled",
                              reason="vmotiond: drained")),
             "its compute service is disabled (vmotiond: drained)"),
            (el.HostFacts(svc("h", zone="az2"), capacity=fakes.capacity("h")),
             "it is in availability zone az2, the instance in az1"),
            (el.HostFacts(svc("h")), "Placement reports no capacity for it"))
        for facts, message in cases:
            self.assertEqual(message, el.refusal(DRAIN, facts, "az1").message)

    def test_move_back_needs_a_healthy_host(self):
        fenced = fakes.service("h", state="down", forced_down=True,
                               status="disabled", reason="vmotiond: fenced")
        self.assertIsNone(el.refusal(MOVE_BACK, el.HostFacts(
            fenced, monitor_state=constants.HOST_RECOVERED)))
        got = el.refusal(MOVE_BACK, el.HostFacts(
            fenced, monitor_state=constants.HOST_FENCED))
        self.assertEqual("it is not healthy: the monitor has it fenced "
                         "(move-back needs recovered or up)", got.message)

    def test_unknown_kind(self):
        self.assertRaises(ValueError, el.refusal, "teleport",
                          el.HostFacts(None))
