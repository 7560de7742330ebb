"""The versioned payload of the monitor's notifications.

Event types (oslo.messaging, topic ``[monitor] notification_topic``):

- ``vmotiond.host.down`` (priority info): a confirmed failure of a host with
  auto-evacuation on; the engine recovers it.
- ``vmotiond.host.recovered`` (info): a failed host has been healthy for
  the soak period.
- ``vmotiond.host.alert`` (warn): an operator must look; nothing moves
  (guards, process failures, flapping, a failure of a host without
  auto-evacuation).

Payload, version 1.0 (flat, so readers that only know the fields read it
as is; ``validation.validate`` is the engine's reading)::

    {"payload_name": "HostEventPayload",
     "payload_version": "1.0",
     "host": "compute-3" | null,         # null for cluster-wide alerts
     "generation": 4 | null,             # bumped on every down of the host
     "detected_at": "2026-01-01T00:00:25Z",
     "evidence": {...},                  # heartbeat, ages, probe, counts
     "monitor": "controller-1",          # [DEFAULT] host of the emitter
     "auto_evacuate": true | null,
     "reason": "mass_failure" | null,    # alerts: why
     "dedup_key": "COMPUTE_HOST:compute-3:4" | null}

Minor versions only add optional fields; a reader accepts any 1.x.
"""

from collections.abc import Mapping
import datetime
from typing import Any

EVENT_HOST_DOWN = "vmotiond.host.down"
EVENT_HOST_RECOVERED = "vmotiond.host.recovered"
EVENT_HOST_ALERT = "vmotiond.host.alert"

NAME = "HostEventPayload"
VERSION = "1.0"
NAME_KEY = "payload_name"
VERSION_KEY = "payload_version"
_REQUIRED = ("host", "generation", "detected_at", "evidence")


def dedup_key(host: str, generation: int) -> str:
    """The key that makes a host's n-th failure one notification."""
    return "COMPUTE_HOST:%s:%d" % (host, generation)


def build(*, host: str | None, generation: int | None,
          detected_at: datetime.datetime, evidence: Mapping[str, Any],
          monitor: str, auto_evacuate: bool | None = None,
          reason: str | None = None) -> dict[str, Any]:
    """Return a versioned payload (``detected_at`` naive UTC)."""
    return {
        NAME_KEY: NAME,
        VERSION_KEY: VERSION,
        "host": host,
        "generation": generation,
        "detected_at": format_time(detected_at),
        "evidence": dict(evidence),
        "monitor": monitor,
        "auto_evacuate": auto_evacuate,
        "reason": reason,
        "dedup_key": (dedup_key(host, generation)
                      if host is not None and generation is not None
                      else None),
    }


def is_versioned(payload: Any) -> bool:
    return isinstance(payload, Mapping) and VERSION_KEY in payload


def parse(payload: Any) -> dict[str, Any]:
    """Return the data of a payload; raise ValueError saying what is wrong.

    ``detected_at`` comes back as a naive UTC datetime.
    """
    if not is_versioned(payload):
        raise ValueError("not a vmotiond versioned payload")
    if payload.get(NAME_KEY) != NAME:
        raise ValueError("unknown payload name %r" % payload.get(NAME_KEY))
    version = str(payload.get(VERSION_KEY, ""))
    if version.split(".")[0] != VERSION.split(".")[0]:
        raise ValueError("unsupported payload version %r" % version)
    data = payload
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise ValueError("payload lacks %s" % ", ".join(missing))
    if not isinstance(data["host"], str) or not data["host"]:
        raise ValueError("payload host is not a name")
    generation = data["generation"]
    if generation is not None and (isinstance(generation, bool)
                                   or not isinstance(generation, int)):
        raise ValueError("payload generation is not an integer")
    if not isinstance(data["evidence"], Mapping):
        raise ValueError("payload evidence is not an object")
    out = dict(data)
    out["detected_at"] = parse_time(data["detected_at"])
    return out


def format_time(value: datetime.datetime) -> str:
    """ISO 8601 with a Z, from a naive UTC datetime."""
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value.isoformat() + "Z"


def parse_time(value: Any) -> datetime.datetime:
    """Parse ISO 8601 (Z, offset or naive UTC) to naive UTC."""
    if not isinstance(value, str):
        raise ValueError("time %r is not a string" % (value,))
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("time %r is not ISO 8601" % value) from None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(datetime.timezone.utc).replace(
                tzinfo=None)
        except OverflowError:
            # "0001-01-01T00:00:00+05:00" is before datetime.min in UTC.
            raise ValueError("time %r is out of range" % value) from None
    return parsed
