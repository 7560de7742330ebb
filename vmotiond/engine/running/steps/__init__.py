"""The steps of vmoves, one verb per class, found by their key."""

from vmotiond.engine.deciding import names
from vmotiond.engine.running.steps.base import Outcome
from vmotiond.engine.running.steps.base import Step
from vmotiond.engine.running.steps.base import StepContext
from vmotiond.engine.running.steps.base import StepOptions
from vmotiond.engine.running.steps.instance import ResetInstanceState
from vmotiond.engine.running.steps.instance import RestoreInstanceState
from vmotiond.engine.running.steps.instance import ResumeInstance
from vmotiond.engine.running.steps.instance import StartInstance
from vmotiond.engine.running.steps.instance import StopInstance
from vmotiond.engine.running.steps.moves import ConfirmResize
from vmotiond.engine.running.steps.moves import EvacuateInstance
from vmotiond.engine.running.steps.moves import LiveMigrateInstance
from vmotiond.engine.running.steps.moves import MigrateInstance
from vmotiond.engine.running.steps.moves import WaitInstanceMoved
from vmotiond.engine.running.steps.network import CheckFloatingIp
from vmotiond.engine.running.steps.network import RebindFloatingIp
from vmotiond.engine.running.steps.network import RecordFloatingIps

__all__ = ["CheckFloatingIp", "ConfirmResize", "EvacuateInstance",
           "LiveMigrateInstance", "MigrateInstance", "Outcome",
           "RebindFloatingIp", "RecordFloatingIps", "ResetInstanceState",
           "RestoreInstanceState", "ResumeInstance", "StartInstance",
           "Step", "StepContext", "StepOptions", "StopInstance",
           "WaitInstanceMoved", "build"]

_CLASSES: dict[str, type[Step]] = {
    cls.name: cls for cls in (
        RecordFloatingIps, ResetInstanceState, EvacuateInstance,
        MigrateInstance, LiveMigrateInstance, WaitInstanceMoved,
        ConfirmResize, StartInstance, StopInstance, ResumeInstance,
        RestoreInstanceState, RebindFloatingIp, CheckFloatingIp)}


def build(key: str) -> Step:
    """Return the step for a key such as ``reset_state:error``."""
    name, arg = names.parse_step_key(key)
    try:
        return _CLASSES[name](arg)
    except KeyError:
        raise ValueError("unknown step %s" % name) from None
