"""HMAC signatures of the monitor's notifications (``[monitor] verdict_key``).

The monitor signs every payload it sends; the engine verifies a host-down
message before it trusts it as a verdict. The signature is the field
``signature``: ``hmac-sha256:<hex>`` over the payload's canonical JSON
(sorted keys, no spaces, without ``signature``). The payload is first
made plain JSON, exactly what the bus delivers, so both ends hash the
same bytes.
"""

from collections.abc import Mapping
import hashlib
import hmac
import json
from typing import Any

from oslo_serialization import jsonutils

FIELD = "signature"
_SCHEME = "hmac-sha256:"


def _digest(payload: Mapping[str, Any], key: str) -> str:
    body = {k: v for k, v in payload.items() if k != FIELD}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hmac.new(key.encode("utf-8"), text.encode("utf-8"),
                    hashlib.sha256).hexdigest()


def sign(payload: Mapping[str, Any], key: str) -> dict[str, Any]:
    """Return ``payload`` as plain JSON with its signature added."""
    body: dict[str, Any] = jsonutils.loads(jsonutils.dumps(dict(payload)))
    body.pop(FIELD, None)
    body[FIELD] = _SCHEME + _digest(body, key)
    return body


def check(payload: Mapping[str, Any], key: str) -> str | None:
    """Why ``payload`` is not signed with ``key``; None when it is."""
    signature = payload.get(FIELD)
    if signature is None:
        return "not signed"
    if not isinstance(signature, str) or not signature.startswith(_SCHEME):
        return "bad signature: not %s<hex>" % _SCHEME
    try:
        expected = _SCHEME + _digest(payload, key)
    except (TypeError, ValueError):
        return "bad signature: the payload is not plain JSON"
    if not hmac.compare_digest(signature, expected):
        return "bad signature"
    return None
