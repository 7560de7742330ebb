"""A host-down message checked before anything is stored.

Every compute node holds credentials for the same bus, so a message is a
request, not an order: ``validate`` checks that it is well typed and
bounded, whoever sent it. A message is the versioned payload of
``payload`` (version 1.x) or a plain mapping with the same fields::

    {"host": "compute-1",            # Nova's host name (required)
     "generation": 3,                # the monitor's failure counter
     "detected_at": "2026-01-01T00:00:00Z",       # required
     "evidence": {...},              # why the monitor decided
     "dedup_key": "COMPUTE_HOST:compute-1:3",     # optional
     "signature": "hmac-sha256:..."} # with [monitor] verdict_key

Whether it is trusted (sealed, or confirmed by Nova), fresh and about a
known host is the reader's decision.
"""

from collections.abc import Mapping
import dataclasses
import datetime
import json
import re
from typing import Any

from vmotiond import exception
from vmotiond.verdict import payload as payload_mod

MAX_HOST = 255                  # characters: the hosts.name column
MAX_KEY = 238                   # characters: 255 less "#dup-" + 12 hex
MAX_GENERATION = 2 ** 31 - 1    # an INTEGER column on every backend
MAX_PAYLOAD = 65536             # characters of the payload as JSON
FUTURE_SLACK = 60.0             # seconds a message may come from the future
_PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f]+$")


@dataclasses.dataclass(frozen=True)
class HostDown:
    """A validated host-down notification."""

    host: str
    generation: int | None
    detected_at: datetime.datetime      # naive UTC
    evidence: Mapping[str, Any]
    dedup_key: str
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        """What is stored with the notification."""
        out = dict(self.raw)
        out.update({"host": self.host, "generation": self.generation,
                    "detected_at": self.detected_at.isoformat(),
                    "evidence": dict(self.evidence)})
        return out


def validate(payload: Any) -> HostDown:
    """Return the notification as a record, or raise InvalidInput.

    Types and sizes are checked here, before anything is stored.
    """
    try:
        size = len(json.dumps(payload, default=str))
    except (TypeError, ValueError):
        raise exception.InvalidInput(reason="payload is not JSON") from None
    if size > MAX_PAYLOAD:
        raise exception.InvalidInput(
            reason="payload too large (%d characters, at most %d)"
            % (size, MAX_PAYLOAD))
    if payload_mod.is_versioned(payload):
        try:
            data = payload_mod.parse(payload)
        except ValueError as exc:
            raise exception.InvalidInput(reason=short(str(exc))) from exc
    elif isinstance(payload, Mapping):
        data = dict(payload)
    else:
        raise exception.InvalidInput(reason="payload is not a mapping")
    host = data.get("host")
    if not isinstance(host, str) or not host.strip():
        raise exception.InvalidInput(reason="payload has no host")
    host = host.strip()
    if len(host) > MAX_HOST or not _PRINTABLE.match(host):
        raise exception.InvalidInput(
            reason="host is not a host name (%d characters)" % len(host))
    generation = data.get("generation")
    if generation is not None and (
            isinstance(generation, bool) or not isinstance(generation, int)
            or not 0 <= generation <= MAX_GENERATION):
        raise exception.InvalidInput(
            reason="generation must be an integer from 0 to %d"
            % MAX_GENERATION)
    detected_at = data.get("detected_at")
    if detected_at is None:
        raise exception.InvalidInput(reason="payload has no detected_at")
    if not isinstance(detected_at, datetime.datetime):
        try:
            detected_at = payload_mod.parse_time(detected_at)
        except ValueError:
            raise exception.InvalidInput(
                reason="detected_at is not an ISO 8601 time") from None
    evidence = data.get("evidence") or {}
    if not isinstance(evidence, Mapping):
        raise exception.InvalidInput(reason="evidence is not a mapping")
    key = data.get("dedup_key")
    if key is None or key == "":
        if generation is None:
            raise exception.InvalidInput(
                reason="payload has neither generation nor dedup_key")
        key = payload_mod.dedup_key(host, generation)
    if not isinstance(key, str) or len(key) > MAX_KEY \
            or not _PRINTABLE.match(key):
        raise exception.InvalidInput(
            reason="dedup_key must be a string of at most %d printable "
                   "characters" % MAX_KEY)
    raw = {k: v for k, v in data.items() if k != "detected_at"}
    return HostDown(host, generation, detected_at, evidence, key, raw)


def short(text: str, size: int = 80) -> str:
    """``text`` cut to ``size`` characters, for a one-line message."""
    return text if len(text) <= size else text[:size - 3] + "..."
