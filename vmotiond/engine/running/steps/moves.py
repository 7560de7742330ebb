"""Steps that move an instance: evacuate, migrate, wait, confirm."""

from vmotiond import constants
from vmotiond import exception
from vmotiond.cloud import records
from vmotiond.engine.running.steps.base import DONE_MIGRATION
from vmotiond.engine.running.steps.base import FAILED_MIGRATION
from vmotiond.engine.running.steps.base import Outcome
from vmotiond.engine.running.steps.base import Step
from vmotiond.engine.running.steps.base import StepContext
from vmotiond.engine.running.steps.base import moved_away
from vmotiond.engine.running.steps.base import our_migrations

# os-migrations' migration_type for each vmove type.
MIGRATION_TYPES = {constants.EVACUATION: "evacuation",
                   constants.MIGRATION: "migration",
                   constants.LIVE_MIGRATION: "live-migration"}
# Statuses an instance may show once it has landed, per vmove type.
LANDED = {constants.EVACUATION: frozenset({"ACTIVE", "SHUTOFF"}),
          constants.MIGRATION: frozenset({"VERIFY_RESIZE", "ACTIVE",
                                          "SHUTOFF"}),
          constants.LIVE_MIGRATION: frozenset({"ACTIVE", "PAUSED"})}


class _MoveStep(Step):
    """Ask Nova to move the instance once, never twice."""

    moves = True
    asks_move = True
    verb = ""

    def call(self, ctx: StepContext) -> None:
        raise NotImplementedError

    def execute(self, ctx: StepContext) -> Outcome:
        if not ctx.fresh:
            skipped = self.already(ctx)
            if skipped is not None:
                return skipped
        try:
            # The watch hears of the move from the journal, once the slot
            # is held, just before the call (``move_slot.asking``).
            self.call(ctx)
        except BaseException:
            if ctx.watch is not None:
                ctx.watch.forget(ctx.server_id)
            raise
        return Outcome("%s requested to %s" % (self.verb,
                                               ctx.dest_host or "any host"),
                       {"called": True, "requested_host": ctx.dest_host})


    def already(self, ctx: StepContext) -> Outcome | None:
        """The outcome when Nova moved it or is moving it; else None."""
        server = ctx.server()
        if moved_away(server, ctx.source_host):
            return Outcome("skipped: already on host %s" % server.host,
                           {"called": False, "host": server.host})
        kind = MIGRATION_TYPES[ctx.move_type]
        for mig in our_migrations(ctx, kind):
            if mig.status not in FAILED_MIGRATION:
                return Outcome(
                    "skipped: Nova has this %s already (migration %s, %s)"
                    % (kind, mig.id, mig.status),
                    {"called": False, "migration_id": mig.id})
        return None


class EvacuateInstance(_MoveStep):
    name = "evacuate"
    verb = "evacuation"

    def call(self, ctx: StepContext) -> None:
        ctx.cloud.evacuate_server(
            ctx.server_id, ctx.dest_host,
            microversion=ctx.options.evacuate_microversion)


class MigrateInstance(_MoveStep):
    name = "migrate"
    verb = "cold migration"

    def call(self, ctx: StepContext) -> None:
        ctx.cloud.migrate_server(ctx.server_id, ctx.dest_host)


class LiveMigrateInstance(_MoveStep):
    name = "live_migrate"
    verb = "live migration"

    def call(self, ctx: StepContext) -> None:
        ctx.cloud.live_migrate_server(ctx.server_id, ctx.dest_host)


class WaitInstanceMoved(Step):
    """Wait until the instance runs on another host, settled.

    Nova shows ACTIVE before it changes the instance's host, so the status
    alone proves nothing: the host must have changed (or the migration
    record be done) and the task state be empty. A failed migration record
    or an ERROR on the new host fails the step at once.
    """

    name = "wait_moved"
    moves = True

    def execute(self, ctx: StepContext) -> Outcome:
        landed = LANDED[ctx.move_type]
        kind = MIGRATION_TYPES[ctx.move_type]
        start = ctx.clock.monotonic()

        def judge(server: records.Server) -> records.Server | None:
            settled = server.task_state is None
            if settled and moved_away(server, ctx.source_host):
                if server.status in landed:
                    return server
                if server.status == "ERROR":
                    raise exception.StepFailed(
                        reason="in ERROR on host %s after the %s"
                        % (server.host, kind))
            if ctx.watch is not None and not settled:
                # Nova is at it; its migration record says nothing more.
                return None
            migrations = our_migrations(ctx, kind)
            if migrations and all(m.status in FAILED_MIGRATION
                                  for m in migrations):
                raise exception.StepFailed(
                    reason="Nova reports the %s failed (migration %s: %s)"
                    % (kind, migrations[-1].id, migrations[-1].status))
            if settled and server.status in landed and any(
                    m.status in DONE_MIGRATION and m.dest_compute
                    and m.dest_compute != ctx.source_host
                    for m in migrations):
                return server
            return None

        what = "%s of %s" % (kind, ctx.server_id)
        if ctx.watch is not None:
            server = ctx.watch.wait(ctx.server_id, what, judge,
                                    ctx.options.move_timeout)
        else:
            server = ctx.poll(what, lambda: judge(ctx.server()),
                              ctx.options.move_timeout)
        host = server.host
        if host == ctx.source_host or host is None:
            # Landed by the migration record; the host field lags.
            host = next(m.dest_compute for m in our_migrations(ctx, kind)
                        if m.status in DONE_MIGRATION)
        waited = ctx.clock.monotonic() - start
        ctx.latest = server
        return Outcome("%s on host %s after %.1f s" % (server.status, host,
                                                       waited),
                       {"host": host, "status": server.status,
                        "waited": round(waited, 3)})


class ConfirmResize(Step):
    """Confirm a cold migration and wait until it leaves VERIFY_RESIZE."""

    name = "confirm_resize"

    def execute(self, ctx: StepContext) -> Outcome:
        server = ctx.recent()
        if server.status != "VERIFY_RESIZE":
            if moved_away(server, ctx.source_host):
                return Outcome("skipped: already confirmed (%s on %s)"
                               % (server.status, server.host),
                               {"status": server.status})
            raise exception.StepFailed(
                reason="nothing to confirm: %s on %s" % (server.status,
                                                         server.host))
        ctx.cloud.confirm_resize(ctx.server_id)

        def check() -> records.Server | None:
            current = ctx.server()
            if current.status == "VERIFY_RESIZE" or current.task_state:
                return None
            return current

        done = ctx.poll("confirm of %s" % ctx.server_id, check,
                        ctx.options.state_timeout)
        return Outcome("confirmed: %s on %s" % (done.status, done.host),
                       {"status": done.status})
