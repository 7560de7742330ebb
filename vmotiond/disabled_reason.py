"""The ``disabled_reason`` vmotiond writes on a compute service. Pure.

One format, ``vmotiond:<cause>[:<notification uuid>]``, says why vmotiond
keeps the service disabled and, when a notification did it, which one:

- ``vmotiond:recovering:<uuid>``: fenced by that recovery;
- ``vmotiond:failed:<uuid>``: that recovery failed; the host is never
  recovered again automatically until an operator releases it;
- ``vmotiond:released:<uuid>``: fence lifted by an operator while
  ``[engine] leave_disabled`` keeps it disabled (enabling is theirs);
- ``vmotiond:draining:<uuid>``: emptied by that drain;
- ``vmotiond:standby``: a standby host, kept out of scheduling.

The sentences of earlier versions (``vmotiond: host failure, notification
<uuid>``, ``vmotiond: standby host, ...``, ``vmotiond: drained by operator
(notification <uuid>)``) are read as the same causes, and any other reason
starting ``vmotiond`` as vmotiond's of an unknown cause (``LEGACY``, the
rule of earlier versions), which no release lifts. A reason that is none of
these is someone else's: vmotiond never lifts it.
"""

import dataclasses
import re
import uuid as uuidlib

from vmotiond import constants

PREFIX = constants.FENCE_REASON_PREFIX

RECOVERING = "recovering"
FAILED = "failed"
RELEASED = "released"
DRAINING = "draining"
STANDBY = "standby"
LEGACY = "legacy"        # vmotiond's, written by an earlier version
# Causes that name their notification, and the one that does not.
WITH_NOTIFICATION = (RECOVERING, FAILED, RELEASED, DRAINING)
CAUSES = WITH_NOTIFICATION + (STANDBY,)
# Causes of a host failure's fence, which release and move-back lift.
FENCE = (RECOVERING, FAILED, RELEASED)

_OLD_RECOVERING = re.compile(r"^%s: host failure, notification (\S+)$"
                             % PREFIX)
_OLD_DRAINING = re.compile(r"^%s: drained by operator \(notification (\S+)\)$"
                           % PREFIX)
_OLD_STANDBY = "%s: standby host, kept out of scheduling" % PREFIX


@dataclasses.dataclass(frozen=True)
class Reason:
    """A reason vmotiond wrote: its cause and notification (or None)."""

    cause: str
    notification: str | None = None


def make(cause: str, notification: str | None = None) -> str:
    """The reason of ``cause`` (one of ``CAUSES``), naming
    ``notification`` when the cause is one of ``WITH_NOTIFICATION``."""
    if cause not in CAUSES:
        raise ValueError("unknown cause: %s" % cause)
    named = cause in WITH_NOTIFICATION
    if named != _is_uuid(notification) or \
            not named and notification is not None:
        raise ValueError("cause %s %s notification uuid" % (
            cause, "needs a" if named else "takes no"))
    if notification is None:
        return "%s:%s" % (PREFIX, cause)
    return "%s:%s:%s" % (PREFIX, cause, notification)


def parse(text: str | None) -> Reason | None:
    """The reason ``text`` if vmotiond wrote it (this version or an
    earlier one), else None (someone else's, or no reason)."""
    if not text or not text.startswith(PREFIX):
        return None
    parts = text.split(":")
    if len(parts) == 3 and parts[1] in WITH_NOTIFICATION and \
            _is_uuid(parts[2]):
        return Reason(parts[1], parts[2])
    if len(parts) == 2 and parts[1] == STANDBY or text == _OLD_STANDBY:
        return Reason(STANDBY)
    for pattern, cause in ((_OLD_RECOVERING, RECOVERING),
                           (_OLD_DRAINING, DRAINING)):
        found = pattern.match(text)
        if found and _is_uuid(found.group(1)):
            return Reason(cause, found.group(1))
    return Reason(LEGACY)


def _is_uuid(text: str | None) -> bool:
    if text is None:
        return False
    try:
        return str(uuidlib.UUID(text)) == text
    except ValueError:
        return False
