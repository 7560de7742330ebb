"""The operator actions' request bodies: each becomes one engine request.

Pure functions of the decoded JSON body: ``{"action": NAME, ...}`` with
exactly the members the action takes, each of its type, else a 400 naming
what is wrong. The values the engine knows better (a mode, a state, a
host's existence) are left to the engine, which refuses them itself.
"""

import dataclasses
import json
from typing import Any

from oslo_utils import uuidutils

from vmotiond import engine_client as ec
from vmotiond.api import errors
from vmotiond.api import util

# Largest request body taken, in bytes.
MAX_BODY = 64 * 1024
# Most instances one request names.
MAX_INSTANCES = 1000
ROLES = ("normal", "standby")


@dataclasses.dataclass(frozen=True)
class EngineRequest:
    """One RPC request; ``starts`` says whether it starts work (202) or
    is done when answered (200); ``wraps`` names the answer's key."""

    method: str
    kwargs: dict[str, Any]
    wraps: str
    starts: bool


def invalid(message: str) -> util.HTTPError:
    return util.bad_request(message, errors.ACTION_INVALID)


def _not_json(name: str) -> Any:
    """``NaN`` and ``Infinity`` are Python's, not JSON's."""
    raise ValueError("%s is not JSON" % name)


def decode(body: bytes, content_type: str) -> dict[str, Any]:
    """The JSON object of a request body, or a 400 saying why not."""
    if content_type != "application/json":
        raise invalid("An action's body is JSON: send Content-Type: "
                      "application/json.")
    if len(body) > MAX_BODY:
        raise invalid("The body is larger than %d bytes." % MAX_BODY)
    try:
        data = json.loads(body.decode("utf-8"),
                          parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError):
        raise invalid("The body is not valid JSON.") from None
    except RecursionError:
        # ``[[[[...`` nested deeper than the decoder recurses.
        raise invalid("The body nests too deeply.") from None
    if not isinstance(data, dict):
        raise invalid("The body is a JSON object: {\"action\": ...}.")
    return data


def _action(body: dict[str, Any], members: dict[str, tuple[str, ...]]
            ) -> str:
    """The action ``body`` names; 400 on an unknown action or member."""
    action = body.get("action")
    if not isinstance(action, str) or action not in members:
        raise invalid("Unknown action %s; expected one of: %s." % (
            json.dumps(action), ", ".join(members)))
    unknown = sorted(set(body) - {"action"} - set(members[action]))
    if unknown:
        raise invalid("Action %s takes no member %s; it takes: %s." % (
            action, ", ".join(unknown),
            ", ".join(members[action]) or "nothing but 'action'"))
    return action


def _typed(body: dict[str, Any], name: str, kind: type, what: str) -> Any:
    """Member ``name`` of ``body``, None when absent or null."""
    value = body.get(name)
    if value is not None and not isinstance(value, kind):
        raise invalid("%s must be %s, not %s." % (name, what,
                                                   json.dumps(value)))
    return value


def _required(body: dict[str, Any], name: str, what: str) -> str:
    value = _typed(body, name, str, what)
    if not value:
        raise invalid("%s is required: %s." % (name, what))
    return str(value)


_HOST: dict[str, tuple[str, ...]] = {
    "set": ("role", "auto_evacuate", "maintenance"), "drain": (),
    "move_back": (), "release": ()}
_HOST_METHODS = {"drain": ec.HOST_DRAIN, "move_back": ec.HOST_MOVE_BACK,
                 "release": ec.HOST_RELEASE}


def host_action(host: str, body: dict[str, Any]) -> EngineRequest:
    """``set`` (role, auto_evacuate, maintenance), ``drain``,
    ``move_back``, ``release``."""
    action = _action(body, _HOST)
    if action != "set":
        return EngineRequest(_HOST_METHODS[action], {"host": host},
                             "notification", True)
    role = _typed(body, "role", str, "one of %s" % ", ".join(ROLES))
    if role is not None and role not in ROLES:
        raise invalid("role must be one of %s, not %s."
                      % (", ".join(ROLES), json.dumps(role)))
    switches = {name: _typed(body, name, bool, "true or false")
                for name in ("auto_evacuate", "maintenance")}
    if role is None and all(v is None for v in switches.values()):
        raise invalid("Nothing to set: give role, auto_evacuate or "
                      "maintenance.")
    return EngineRequest(ec.HOST_SET, {"host": host, "role": role,
                                       **switches}, "host", False)


_HOSTS: dict[str, tuple[str, ...]] = {"sync": ()}


def hosts_action(body: dict[str, Any]) -> EngineRequest:
    """``sync``: refresh every host from Nova now; done when answered."""
    _action(body, _HOSTS)
    return EngineRequest(ec.HOST_SYNC, {}, "sync", False)


_INSTANCES: dict[str, tuple[str, ...]] = {
    "migrate": ("instances", "to", "nova_chooses", "mode"),
    "reset_state": ("instances", "state")}


def _instances(body: dict[str, Any]) -> list[str]:
    value = body.get("instances")
    if not isinstance(value, list) or not value:
        raise invalid("instances must be a non-empty list of instance "
                      "UUIDs.")
    if len(value) > MAX_INSTANCES:
        raise invalid("instances names %d instances; at most %d per "
                      "request." % (len(value), MAX_INSTANCES))
    bad = [v for v in value
           if not isinstance(v, str) or not uuidutils.is_uuid_like(v)]
    if bad:
        raise invalid("instances holds %s, not an instance UUID."
                      % json.dumps(bad[0]))
    return list(dict.fromkeys(value))


def instances_action(body: dict[str, Any]) -> EngineRequest:
    """``migrate`` (instances; ``to`` a host, or ``nova_chooses``, or
    neither: vmotiond's planner chooses; ``mode`` auto, live or cold) and
    ``reset_state`` (instances, ``state`` active or error)."""
    action = _action(body, _INSTANCES)
    ids = _instances(body)
    if action == "reset_state":
        state = _required(body, "state", "active or error")
        return EngineRequest(ec.INSTANCE_RESET_STATE,
                             {"instances": ids, "state": state},
                             "notification", True)
    to = _typed(body, "to", str, "a host name")
    nova = _typed(body, "nova_chooses", bool, "true or false")
    if to is not None and nova:
        raise invalid("Give to or nova_chooses, not both.")
    if to == "" or to == ec.LET_NOVA_CHOOSE:
        raise invalid("to must name a host.")
    mode = _typed(body, "mode", str, "auto, live or cold") or "auto"
    destination = ec.LET_NOVA_CHOOSE if nova else to
    return EngineRequest(ec.INSTANCE_MIGRATE,
                         {"instances": ids, "destination": destination,
                          "mode": mode}, "notification", True)


_VMOVE: dict[str, tuple[str, ...]] = {"redo": (), "reset": (),
                                      "delete": ()}
_VMOVE_METHODS = {"redo": (ec.TASK_REDO, True),
                  "reset": (ec.TASK_RESET, True),
                  "delete": (ec.TASK_DELETE, False)}


def vmove_action(vmove_uuid: str, body: dict[str, Any]) -> EngineRequest:
    """``redo`` a failed vmove, ``reset`` a stuck or failed one to
    pending, ``delete`` a finished one."""
    method, starts = _VMOVE_METHODS[_action(body, _VMOVE)]
    return EngineRequest(method, {"vmove": vmove_uuid}, "vmove", starts)


_NOTIFICATION: dict[str, tuple[str, ...]] = {"abort": ()}
# From 1.7: its vmoves redone or reset together.
_NOTIFICATION_1_7: dict[str, tuple[str, ...]] = {
    "abort": (), "redo": ("vmoves",), "reset": ("vmoves",)}
_NOTIFICATION_METHODS = {"redo": ec.NOTIFICATION_REDO,
                         "reset": ec.NOTIFICATION_RESET}


def notification_action(notification_uuid: str, body: dict[str, Any],
                        together: bool = False) -> EngineRequest:
    """``abort`` a new or running notification; with ``together`` (1.7)
    also ``redo`` its failed vmoves or ``reset`` its ongoing and failed
    ones, every one or the ``vmoves`` named, taken up at once."""
    action = _action(body, _NOTIFICATION_1_7 if together else _NOTIFICATION)
    if action == "abort":
        return EngineRequest(ec.NOTIFICATION_ABORT,
                             {"notification": notification_uuid},
                             "notification", False)
    named = body.get("vmoves")
    if named is not None:
        if not isinstance(named, list) or not named or len(named) > \
                MAX_INSTANCES:
            raise invalid("vmoves must be a non-empty list of at most %d "
                          "vmove UUIDs." % MAX_INSTANCES)
        bad = [v for v in named
               if not isinstance(v, str) or not uuidutils.is_uuid_like(v)]
        if bad:
            raise invalid("vmoves holds %s, not a vmove UUID."
                          % json.dumps(bad[0]))
        named = list(dict.fromkeys(named))
    return EngineRequest(_NOTIFICATION_METHODS[action],
                         {"notification": notification_uuid,
                          "vmoves": named}, "notification", True)
