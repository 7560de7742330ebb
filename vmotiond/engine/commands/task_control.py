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
        db = self.s.db
        note = db.notification_get(row.notification_uuid)
        if not self.handled(note.type):
            raise exception.Conflict(reason="this engine has no workflow "
                                     "for %s notifications" % note.type)
        self._guard(note, row)
        if note.type == constants.COMPUTE_HOST:
            self._still_fenced(note)
        if not db.vmove_update(row.uuid, {
                "status": constants.PENDING, "end_time": None,
                "message": "%s requested by operator" % verb},
                expected=expected):
            raise exception.Conflict(reason="vmove %s changed meanwhile; "
                                     "look again" % row.uuid)
        self._refresh_steps(row)
        if note.status in batch_mod.DONE:
            db.notification_set_status(
                note.uuid, constants.NOTIFICATION_RUNNING,
                expected=batch_mod.DONE,
                message="%s of vmove %s requested by operator"
                % (verb, row.uuid))
        LOG.info("vmove %s: %s requested by operator; notification %s "
                 "taken up", row.uuid, verb, note.uuid)
        self.submit(note.uuid)
        return views.vmove(db.vmove_get(row.uuid))

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

    def _guard(self, note: models.Notification, row: models.VMove) -> None:
        """Refuse while the notification runs here or elsewhere."""
        if self.is_running(note.uuid):
            raise exception.Conflict(
                reason="notification %s of vmove %s is running in this "
                       "engine; wait for it to end (or abort it)"
                % (note.uuid, row.uuid))
        lock = self.s.locks.get(workflow.lock_name(note))
        if not lock.acquire(blocking=False):
            raise exception.Conflict(
                reason="another engine works on notification %s of vmove "
                       "%s (it holds %s); wait for it to end (or abort it)"
                % (note.uuid, row.uuid, workflow.lock_name(note)))
        lock.release()

    def _still_fenced(self, note: models.Notification) -> None:
        service = workflow.service_of(self.s.cloud, str(note.host))
        if service is not None and not service.forced_down:
            raise exception.Conflict(
                reason="host %s is no longer fenced; an evacuation from it "
                       "would fence it again (use a custom migration)"
                % note.host)
