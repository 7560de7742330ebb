"""The engine's move slots as one vmove's runner holds them.

A step that moves an instance holds one of the slots while it runs (the
engine's cap of moves at once), taken before the journal writes what the
step follows; just before a step asks the cloud for a move (after that
write), the watch of the notification's moves expects it.
"""

import threading

from vmotiond import exception
from vmotiond.engine.running import steps as steps_mod
from vmotiond.engine.running.steps.base import StepContext


class MoveSlot:
    """One of the engine's move slots, held while a moving step runs."""

    def __init__(self, slots: threading.Semaphore | None,
                 stop: threading.Event) -> None:
        self.slots = slots
        self.stop = stop
        self.held = False

    def hold(self, want: bool) -> None:
        if self.slots is None or want == self.held:
            return
        if not want:
            self.slots.release()
            self.held = False
            return
        while not self.slots.acquire(timeout=0.5):
            if self.stop.is_set():
                raise exception.Interrupted(reason="waiting for a move slot")
        self.held = True


def turn(slot: MoveSlot, step: steps_mod.Step) -> None:
    """Before the write that precedes ``step``'s request: hold a move
    slot if it moves."""
    slot.hold(step.moves)


def asking(slot: MoveSlot, step: steps_mod.Step, ctx: StepContext) -> None:
    """Just before ``step`` asks the cloud for something: hold a move slot
    if it moves (held already after ``turn``); if it asks for the move,
    the watch expects it from now."""
    slot.hold(step.moves)
    if step.asks_move and ctx.watch is not None:
        ctx.watch.expect(ctx.server_id)
