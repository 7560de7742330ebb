"""Task control, the operator's hand on the vmoves: redo, reset, delete a
vmove; abort a notification.

- ``redo``: a ``failed`` vmove goes back to ``pending`` and its (ended)
  notification runs again: the vmove resumes from its failed step, every
  step checking the cloud first, so nothing done is done twice. Its steps
  are the ones today's configuration calls for (``[engine]
  floating_ip_steps`` read when the engine started), not the ones planned.
- ``reset``: a stuck vmove (``ongoing`` with no engine on it, or
  ``failed``) goes back to ``pending`` and is taken up the same way.
  Refused while its notification runs (here, or in another engine that
  holds its lock).
- ``redo_all`` / ``reset_all``: the same for several vmoves of one
  notification at once (every one the verb applies to, or the ones
  named), which is then taken up once: one by one, the second would find
  the notification running again and be refused.
- ``delete``: a finished vmove (succeeded, failed or ignored) is
  soft-deleted; the history API no longer lists it.
- ``abort``: a new or running notification becomes ``aborted``: the moves
  in flight finish, the ones not started become ``ignored`` with "aborted
  by operator".
"""

from collections.abc import Callable
import dataclasses
from typing import Any

from oslo_log import log as logging

from vmotiond import constants
from vmotiond import exception
from vmotiond.db import models
from vmotiond.engine.commands import views
from vmotiond.engine.deciding import intents
from vmotiond.engine.running import batch as batch_mod
from vmotiond.engine.running import vmove_store
from vmotiond.engine.workflows import workflow

LOG = logging.getLogger(__name__)


class TaskControl:
    """Operator's controls over vmoves and notifications."""

    def __init__(self, services: workflow.Services,
                 submit: Callable[[str], object],
                 is_running: Callable[[str], bool],
                 handled: Callable[[str], bool]) -> None:
        self.s = services
        self.submit = submit
        self.is_running = is_running
        self.handled = handled

    def redo(self, vmove_uuid: str) -> dict[str, Any]:
        row = self.s.db.vmove_get(vmove_uuid)
        if row.status != constants.FAILED:
            raise exception.Conflict(
                reason="vmove %s is %s; only a failed vmove is redone"
                % (vmove_uuid, row.status))
        return self._again(row, (constants.FAILED,), "redo")

    def reset(self, vmove_uuid: str) -> dict[str, Any]:
        row = self.s.db.vmove_get(vmove_uuid)
        if row.status not in (constants.ONGOING, constants.FAILED):
            raise exception.Conflict(
                reason="vmove %s is %s; only an ongoing (stuck) or failed "
                       "vmove is reset" % (vmove_uuid, row.status))
        return self._again(row, (constants.ONGOING, constants.FAILED),
                           "reset")

    def redo_all(self, notification_uuid: str,
                 vmoves: list[str] | None = None) -> dict[str, Any]:
        """Redo the failed vmoves of a notification (or the ones named)."""
        return self._again_all(notification_uuid, vmoves,
                               (constants.FAILED,), "redo")

    def reset_all(self, notification_uuid: str,
                  vmoves: list[str] | None = None) -> dict[str, Any]:
        """Reset the ongoing (stuck) and failed vmoves of a notification
        (or the ones named)."""
        return self._again_all(notification_uuid, vmoves,
                               (constants.ONGOING, constants.FAILED),
                               "reset")

    def delete(self, vmove_uuid: str) -> dict[str, Any]:
        row = self.s.db.vmove_get(vmove_uuid)
        if not self.s.db.vmove_soft_delete(
                vmove_uuid, expected=constants.VMOVE_DONE_STATUSES):
            raise exception.Conflict(
                reason="vmove %s is %s; only a finished vmove (succeeded, "
                       "failed, ignored) is deleted" % (vmove_uuid,
                                                        row.status))
        LOG.info("vmove %s deleted by operator", vmove_uuid)
        return {**views.vmove(row), "deleted": True}

    def abort(self, notification_uuid: str) -> dict[str, Any]:
        db = self.s.db
        row = db.notification_get(notification_uuid)
        if not db.notification_set_status(
                notification_uuid, constants.NOTIFICATION_ABORTED,
                expected=(constants.NOTIFICATION_NEW,
                          constants.NOTIFICATION_RUNNING),
                message=batch_mod.ABORTED_MESSAGE):
            raise exception.Conflict(
                reason="notification %s is %s; only a new or running one "
                       "is aborted" % (notification_uuid,
                                       db.notification_get(
                                           notification_uuid).status))
        # Moves not started never will; the ones in flight finish (their
        # runner claimed them, so this test-and-set leaves them alone).
        for vmove in db.vmove_list(notification_uuid=notification_uuid,
                                   status=(constants.PENDING,)):
            self.s.batch.ignore(vmove, batch_mod.ABORTED_MESSAGE)
        LOG.info("Notification %s (%s) aborted by operator",
                 notification_uuid, row.type)
        return views.notification(db.notification_get(notification_uuid))

    # -- helpers ----------------------------------------------------------

    def _again(self, row: models.VMove, expected: tuple[str, ...],
               verb: str) -> dict[str, Any]:
        note = self.s.db.notification_get(row.notification_uuid)
        self._check(note, "vmove %s" % row.uuid)
        if not self._take_up(note, [row], expected, verb):
            raise exception.Conflict(reason="vmove %s changed meanwhile; "
                                     "look again" % row.uuid)
        return views.vmove(self.s.db.vmove_get(row.uuid))

    def _again_all(self, notification_uuid: str, named: list[str] | None,
                   expected: tuple[str, ...], verb: str) -> dict[str, Any]:
        db = self.s.db
        note = db.notification_get(notification_uuid)
        rows = db.vmove_list(notification_uuid=note.uuid, status=expected)
        if named is not None:
            wanted = set(named)
            known = {r.uuid: r for r in db.vmove_list(
                notification_uuid=note.uuid)}
            for uuid in named:
                if uuid not in known:
                    raise exception.NotFound(
                        kind="vmove of notification %s" % note.uuid,
                        ident=uuid)
                if known[uuid].status not in expected:
                    raise exception.Conflict(
                        reason="vmove %s is %s; only a vmove %s is %s" % (
                            uuid, known[uuid].status, " or ".join(expected),
                            "redone" if verb == "redo" else verb))
            rows = [r for r in rows if r.uuid in wanted]
        if not rows:
            raise exception.Conflict(
                reason="notification %s has no %s vmove; nothing to %s"
                % (note.uuid, " or ".join(expected), verb))
        self._check(note, "the vmoves to %s" % verb)
        if not self._take_up(note, rows, expected, verb):
            raise exception.Conflict(reason="the vmoves of notification %s "
                                     "changed meanwhile; look again"
                                     % note.uuid)
        return views.notification(db.notification_get(note.uuid))

    def _check(self, note: models.Notification, what: str) -> None:
        if not self.handled(note.type):
            raise exception.Conflict(reason="this engine has no workflow "
                                     "for %s notifications" % note.type)
        self._guard(note, what)
        if note.type == constants.COMPUTE_HOST:
            self._still_fenced(note)

    def _take_up(self, note: models.Notification, rows: list[models.VMove],
                 expected: tuple[str, ...], verb: str) -> int:
        """Put ``rows`` back to pending and run their notification again;
        how many changed (none: nothing is run)."""
        db = self.s.db
        changed = [row for row in rows if db.vmove_update(row.uuid, {
            "status": constants.PENDING, "end_time": None,
            "message": "%s requested by operator" % verb},
            expected=expected)]
        if not changed:
            return 0
        for row in changed:
            self._refresh_steps(row)
        what = ("vmove %s" % changed[0].uuid if len(changed) == 1
                else "%d vmoves" % len(changed))
        if note.status in batch_mod.DONE:
            db.notification_set_status(
                note.uuid, constants.NOTIFICATION_RUNNING,
                expected=batch_mod.DONE,
                message="%s of %s requested by operator" % (verb, what))
        LOG.info("%s: %s requested by operator; notification %s taken up",
                 what, verb, note.uuid)
        self.submit(note.uuid)
        return len(changed)

    def _refresh_steps(self, row: models.VMove) -> None:
        """Store the vmove's plan with today's floating-IP steps."""
        spec = vmove_store.plan_of(row)
        if spec is None:
            return          # no plan: it ends failed when it is taken up
        steps = intents.with_floating_ips(spec.steps, str(row.type),
                                          self.s.options.floating_ips)
        if steps == spec.steps:
            return
        self.s.db.vmove_update(row.uuid, {"plan": dataclasses.replace(
            spec, steps=steps).to_context()})
        LOG.info("vmove %s: steps follow today's configuration: %s",
                 row.uuid, ", ".join(steps))

    def _guard(self, note: models.Notification, what: str) -> None:
        """Refuse while the notification runs here or elsewhere."""
        if self.is_running(note.uuid):
            raise exception.Conflict(
                reason="notification %s of %s is running in this engine; "
                       "wait for it to end (or abort it)" % (note.uuid, what))
        lock = self.s.locks.get(workflow.lock_name(note))
        if not lock.acquire(blocking=False):
            raise exception.Conflict(
                reason="another engine works on notification %s of %s (it "
                       "holds %s); wait for it to end (or abort it)"
                % (note.uuid, what, workflow.lock_name(note)))
        lock.release()

    def _still_fenced(self, note: models.Notification) -> None:
        service = workflow.service_of(self.s.cloud, str(note.host))
        if service is not None and not service.forced_down:
            raise exception.Conflict(
                reason="host %s is no longer fenced; an evacuation from it "
                       "would fence it again (use a custom migration)"
                % note.host)
