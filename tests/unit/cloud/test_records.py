import testtools

from vmotiond import constants
from vmotiond.cloud import records


def _service(status: str, reason: str | None) -> records.ComputeService:
    return records.ComputeService(
        id="s1", host="node1", zone="nova", state="up", status=status,
        forced_down=False, updated_at=None, disabled_reason=reason)


class TestOperatorDisabled(testtools.TestCase):
    """The one rule for a service an operator, not vmotiond, disabled."""

    def test_disabled_with_an_operators_reason(self) -> None:
        self.assertTrue(_service("disabled", "broken disk").operator_disabled)

    def test_disabled_without_a_reason(self) -> None:
        self.assertTrue(_service("disabled", None).operator_disabled)

    def test_disabled_by_vmotiond(self) -> None:
        for reason in (constants.FENCE_REASON_PREFIX + ": host failure",
                       constants.FENCE_REASON_PREFIX + ": standby host"):
            self.assertFalse(_service("disabled", reason).operator_disabled)

    def test_enabled_is_never_operator_disabled(self) -> None:
        self.assertFalse(_service("enabled", "broken disk").operator_disabled)
        self.assertFalse(_service("enabled", None).operator_disabled)
