"""The readiness gate between priority tiers.

A notification's vmoves run tier by tier (a tier: the vmoves of one
``vmotion:priority``, highest first). Once every vmove of a tier has
started, the next tier waits for the gate: it opens when every vmove of
the tier under way is final (its instance landed in its final state, or it
failed, or was ignored), or when the tier has run ``[engine] tier_timeout``
seconds; a timeout of 0 leaves the gate open (the tiers only order the
starts). One tier (no instance has a priority) never meets the gate.
"""

import dataclasses

WAIT = "wait"
DONE = "done"
TIMED_OUT = "timed out"
UNGATED = "ungated"


@dataclasses.dataclass(frozen=True)
class Gate:
    """The gate's verdict; ``wait``: seconds before the timeout opens it
    (None: only the tier's end does)."""

    verdict: str
    wait: float | None = None

    @property
    def open(self) -> bool:
        return self.verdict != WAIT


def gate(unfinished: int, elapsed: float, timeout: float) -> Gate:
    """The gate after a tier that has ``unfinished`` vmoves not final and
    has run ``elapsed`` seconds, with the tier timeout ``timeout``."""
    if unfinished <= 0:
        return Gate(DONE)
    if timeout <= 0:
        return Gate(UNGATED)
    if elapsed >= timeout:
        return Gate(TIMED_OUT)
    return Gate(WAIT, timeout - elapsed)


def note(tier: int, following: int, verdict: Gate, unfinished: int,
         elapsed: float) -> str:
    """What the log and the notification say when tier ``following``
    starts after tier ``tier``."""
    if verdict.verdict == TIMED_OUT:
        return ("tier %d timed out after %.0f s with %d vmove(s) not final; "
                "tier %d started" % (tier, elapsed, unfinished, following))
    if verdict.verdict == UNGATED:
        return ("tier %d started with %d vmove(s) of tier %d not final "
                "(no tier_timeout: no gate)" % (following, unfinished, tier))
    return "tier %d done after %.0f s; tier %d started" % (tier, elapsed,
                                                          following)
