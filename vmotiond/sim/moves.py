"""Moving servers: evacuate, cold migrate (+confirm/revert), live migrate.

Each operation checks what Nova's API checks (same status codes and
messages), then runs over simulated time as timeline events:

* evacuate: ``REBUILD`` (migration ``accepted``), scheduling (``error`` and
  server ``ERROR`` when no host fits), rebuild; then ACTIVE (SHUTOFF at
  microversion 2.95+ or when it was stopped) with no task state *before*
  the host field changes; then the host changes and the migration is
  ``done``. The source keeps its allocation until its nova-compute starts.
  A rebuild that fails (fault ``error_state``) leaves the server ``ERROR``
  on its old host, the migration ``failed`` and the destination's
  allocation dropped, as Nova 34 does (it sets the host only on success).
* migrate: ``RESIZE`` then ``VERIFY_RESIZE`` on the new host (migration
  ``finished``) until ``confirmResize`` (``confirmed``) or
  ``revertResize`` (``reverted``).
* live migrate: ``MIGRATING`` then, as for evacuate, ACTIVE shortly before
  the host changes; migration ``completed`` (``error`` when no host fits).

While its operation is held (``SimCloud.hold``), a move waits in its long
phase, destination claimed, as Nova shows a move in progress: an
evacuation ``REBUILD`` (migration ``pre-migrating``), a cold migration
``RESIZE`` (``migrating``), a live migration ``MIGRATING`` (``running``);
a held confirm or revert waits ``confirming`` or ``reverting``.

Call every function with the cloud's lock held.
"""

from collections.abc import Callable
import datetime
import secrets
from typing import TYPE_CHECKING

from vmotiond.sim import errors
from vmotiond.sim import model
from vmotiond.sim import scheduler
from vmotiond.sim import states

if TYPE_CHECKING:
    from vmotiond.sim.cloud import SimCloud

_SCHEDULE_SHARE = 0.1    # part of an operation's time spent scheduling


def _later(at: datetime.datetime, seconds: float) -> datetime.datetime:
    return at + datetime.timedelta(seconds=seconds)


def _set(server: model.Server, at: datetime.datetime, **fields: object
         ) -> None:
    for key, value in fields.items():
        setattr(server, key, value)
    if "vm_state" in fields and "power_state" not in fields:
        server.power_state = states.POWER_OF_VM_STATE[server.vm_state]
    server.updated_at = at


def _fault(server: model.Server, message: str, at: datetime.datetime,
           code: int = 500) -> None:
    server.fault = {"code": code, "message": message,
                    "created": at.strftime("%Y-%m-%dT%H:%M:%SZ")}


def _running(cloud: "SimCloud", name: str | None) -> bool:
    return name is not None and cloud.state.hosts[name].compute_running


def _rebind_ports(cloud: "SimCloud", server: model.Server) -> None:
    for port in cloud.state.ports_by_device.get(server.id, []):
        port.binding_host = server.host


# Evacuate -----------------------------------------------------------------

def evacuate(cloud: "SimCloud", server_id: str, host: str | None = None,
             force: bool = False, stop_at_target: bool = False) -> str:
    """Nova's ``evacuate`` action; returns the admin password."""
    now = cloud.tick()
    state = cloud.state
    server = state.get_server(server_id)
    if host is not None and host not in state.hosts:
        raise errors.NotFound("Compute host %s not found." % host)
    if server.host == host:
        raise errors.BadRequest("The target host can't be the same one.")
    states.check_state("evacuate", server.id, server.vm_state,
                       server.task_state)
    source = state.hosts.get(server.host or "")
    if source is not None and cloud.is_up(source, now):
        raise errors.BadRequest(
            "Compute service of %s is still in use." % source.name)
    if server.task_state is not None:
        raise errors.Unexpected("UnexpectedTaskStateError")
    fail = cloud.chaos.take("evacuate", ("error_state",), server.id,
                            server.host)
    unbind = cloud.chaos.take("evacuate", ("fip_unbound",), server.id,
                              server.host)
    migration = state.add_migration(server, "evacuation", "accepted", host,
                                    now)
    _set(server, now, task_state=states.REBUILDING)
    duration = cloud.chaos.duration("evacuate")
    lag = cloud.chaos.duration("host_update_lag")
    was_stopped = server.vm_state == states.STOPPED

    def schedule(at: datetime.datetime) -> None:
        try:
            if force and host is not None:
                dest = state.hosts[host]
            else:
                dest = scheduler.select_destination(
                    state, server, lambda h: cloud.is_up(h, at),
                    requested=host, ignore=(migration.source_compute or "",))
        except errors.SimError as exc:
            migration.set_status("error", at)
            _set(server, at, vm_state=states.ERROR, task_state=None)
            _fault(server, exc.message, at)
            return
        migration.dest_compute = dest.name
        migration.dest_host = dest.host_ip
        migration.set_status("pre-migrating", at)
        state.allocate(server, dest.name, server.id)
        _set(server, at, task_state=states.REBUILD_SPAWNING)
        cloud.timeline.after("evacuate", at,
                             duration * (1 - _SCHEDULE_SHARE),
                             lambda at2: finish(at2, dest))

    def finish(at: datetime.datetime, dest: model.Host) -> None:
        if not dest.compute_running:
            return          # stuck in REBUILD, as with a dead destination
        if fail is not None:
            state.free(server, dest.name)
            migration.set_status("failed", at)
            _set(server, at, vm_state=states.ERROR, task_state=None)
            _fault(server, "Injected fault: rebuild failed on %s"
                   % dest.name, at)
            return
        stopped = stop_at_target or was_stopped
        _set(server, at, task_state=None, fault=None,
             vm_state=states.STOPPED if stopped else states.ACTIVE)
        cloud.timeline.at(_later(at, lag), lambda at2: land(at2, dest))

    def land(at: datetime.datetime, dest: model.Host) -> None:
        state.move_server(server, dest.name)
        _rebind_ports(cloud, server)
        server.updated_at = at
        migration.set_status("done", at)
        if unbind is not None:
            for port in state.ports_by_device.get(server.id, []):
                for fip in list(state.fips_by_port.get(port.id, [])):
                    state.bind_fip(fip, None, at)

    cloud.timeline.at(_later(now, duration * _SCHEDULE_SHARE), schedule)
    return secrets.token_urlsafe(9)


# Cold migration -----------------------------------------------------------

def migrate(cloud: "SimCloud", server_id: str, host: str | None = None
            ) -> None:
    """Nova's ``migrate`` action (a resize to the same flavor)."""
    now = cloud.tick()
    state = cloud.state
    server = state.get_server(server_id)
    states.check_state("migrate", server.id, server.vm_state,
                       server.task_state)
    if server.host is None:
        raise errors.Conflict("Instance %s is not ready" % server.id)
    if not cloud.is_up(state.hosts[server.host], now):
        raise errors.Conflict("Service is unavailable at this time.")
    if host is not None:
        if host == server.host:
            raise errors.BadRequest(
                "Cannot migrate to the host where the server exists.")
        if host not in state.hosts:
            raise errors.BadRequest(
                "Compute host %s could not be found." % host)
    fail = cloud.chaos.take("migrate", ("error_state",), server.id,
                            server.host)
    source = server.host
    migration = state.add_migration(server, "migration", "pre-migrating",
                                    None, now)
    _set(server, now, task_state=states.RESIZE_PREP,
         old_vm_state=server.vm_state)
    duration = cloud.chaos.duration("migrate")

    def schedule(at: datetime.datetime) -> None:
        try:
            dest = scheduler.select_destination(
                state, server, lambda h: cloud.is_up(h, at), requested=host,
                ignore=(source,))
        except errors.SimError as exc:
            migration.set_status("error", at)
            _set(server, at, task_state=None)
            _fault(server, exc.message, at)
            return
        _set(server, at, task_state=states.RESIZE_MIGRATING)
        _claim(cloud, "migrate", server, migration, source, dest,
               "migrating", at, duration, finish)

    def finish(at: datetime.datetime, dest: model.Host) -> None:
        if not (dest.compute_running and _running(cloud, source)):
            return
        if fail is not None:
            migration.set_status("error", at)
            _unclaim(cloud, server, source, dest)
            _set(server, at, vm_state=states.ERROR, task_state=None)
            _fault(server, "Injected fault: resize failed", at)
            return
        state.move_server(server, dest.name)
        _rebind_ports(cloud, server)
        migration.set_status("finished", at)
        power = (states.POWER_SHUTDOWN if server.old_vm_state ==
                 states.STOPPED else states.POWER_RUNNING)
        _set(server, at, vm_state=states.RESIZED, task_state=None,
             power_state=power)

    cloud.timeline.at(_later(now, duration * _SCHEDULE_SHARE), schedule)


def _claim(cloud: "SimCloud", op: str, server: model.Server,
           migration: model.Migration, source: str, dest: model.Host,
           status: str, at: datetime.datetime, duration: float,
           finish: Callable[[datetime.datetime, model.Host], None]) -> None:
    """A move's destination chosen: the server's allocation moves there,
    the migration holds the source's, and ``finish`` runs once the rest
    of the move's ``duration`` has passed (after the release of ``op``
    when it is held)."""
    migration.dest_compute = dest.name
    migration.dest_host = dest.host_ip
    migration.set_status(status, at)
    cloud.state.allocate(server, dest.name, server.id)
    cloud.state.allocate(server, source, migration.uuid)
    cloud.timeline.after(op, at, duration * (1 - _SCHEDULE_SHARE),
                         lambda end: finish(end, dest))


def _unclaim(cloud: "SimCloud", server: model.Server, source: str,
             dest: model.Host) -> None:
    """A failed move: the server's allocation back on its source."""
    cloud.state.free(server, dest.name)
    cloud.state.allocate(server, source, server.id)


def _resize_settling(cloud: "SimCloud", server_id: str, action: str,
                     status: str) -> tuple[datetime.datetime, model.Server,
                                           model.Migration]:
    """The start of a confirm or a revert: checks ``action`` may run and
    moves the server's finished resize migration to ``status``."""
    now = cloud.tick()
    server = cloud.state.get_server(server_id)
    states.check_state(action, server.id, server.vm_state, server.task_state)
    for migration in reversed(cloud.state.migrations_by_server.get(
            server.id, [])):
        if (migration.migration_type == "migration"
                and migration.status == "finished"):
            migration.set_status(status, now)
            return now, server, migration
    raise errors.BadRequest("Instance has not been resized.")


def _resize_settled(server: model.Server, migration: model.Migration,
                    status: str, at: datetime.datetime) -> None:
    """The end of a confirm or a revert: the server back in its old
    state."""
    migration.set_status(status, at)
    _set(server, at, vm_state=server.old_vm_state or states.ACTIVE,
         task_state=None, old_vm_state=None)


def confirm_resize(cloud: "SimCloud", server_id: str) -> None:
    """Nova's ``confirmResize``: frees the source, back to the old state."""
    now, server, migration = _resize_settling(cloud, server_id,
                                              "confirmResize", "confirming")

    def finish(at: datetime.datetime) -> None:
        if migration.source_compute:
            cloud.state.free(server, migration.source_compute)
        _resize_settled(server, migration, "confirmed", at)

    cloud.timeline.after("confirm_resize", now,
                         cloud.chaos.duration("confirm_resize"), finish)
    cloud.tick()


def revert_resize(cloud: "SimCloud", server_id: str) -> None:
    """Nova's ``revertResize``: back to the source host."""
    now, server, migration = _resize_settling(cloud, server_id,
                                              "revertResize", "reverting")
    _set(server, now, task_state=states.RESIZE_REVERTING)
    source = migration.source_compute or ""

    def finish(at: datetime.datetime) -> None:
        if not _running(cloud, source):
            return
        dest = server.host
        state = cloud.state
        state.move_server(server, source)
        if dest is not None:
            state.free(server, dest)
        state.allocate(server, source, server.id)
        _rebind_ports(cloud, server)
        _resize_settled(server, migration, "reverted", at)

    cloud.timeline.after("revert_resize", now,
                         cloud.chaos.duration("revert_resize"), finish)


# Live migration -----------------------------------------------------------

def live_migrate(cloud: "SimCloud", server_id: str, host: str | None = None,
                 force: bool = False, async_: bool = True) -> None:
    """Nova's ``os-migrateLive``; checks run async from 2.34 as in Nova."""
    now = cloud.tick()
    state = cloud.state
    server = state.get_server(server_id)
    states.check_state("os-migrateLive", server.id, server.vm_state,
                       server.task_state)
    if host is not None and host not in state.hosts:
        raise errors.BadRequest("Compute host %s could not be found." % host)
    source = server.host or ""

    def pick(at: datetime.datetime) -> model.Host:
        if not cloud.is_up(state.hosts[source], at):
            raise errors.BadRequest(
                "Compute service of %s is unavailable at this time." % source)
        if host is not None and force:
            if host == source:
                raise errors.BadRequest(
                    "Unable to migrate instance (%s) to current host (%s)."
                    % (server.id, source))
            if not cloud.is_up(state.hosts[host], at):
                raise errors.BadRequest(
                    "Compute service of %s is unavailable at this time."
                    % host)
            return state.hosts[host]
        return scheduler.select_destination(
            state, server, lambda h: cloud.is_up(h, at), requested=host,
            ignore=(source,))

    if not async_:
        pick(now)      # pre-checks answer 400 synchronously before 2.34
    fail = cloud.chaos.take("live_migrate", ("error_state",), server.id,
                            source)
    migration = state.add_migration(server, "live-migration", "accepted",
                                    host, now)
    _set(server, now, task_state=states.MIGRATING)
    duration = cloud.chaos.duration("live_migrate")
    lag = cloud.chaos.duration("host_update_lag")

    def schedule(at: datetime.datetime) -> None:
        try:
            dest = pick(at)
        except errors.SimError:
            migration.set_status("error", at)
            _set(server, at, task_state=None)
            return
        _claim(cloud, "live_migrate", server, migration, source, dest,
               "running", at, duration, finish)

    def finish(at: datetime.datetime, dest: model.Host) -> None:
        if not (dest.compute_running and _running(cloud, source)):
            return
        if fail is not None:
            _unclaim(cloud, server, source, dest)
            migration.set_status("failed", at)
            _set(server, at, task_state=None)
            return
        _set(server, at, task_state=None)
        cloud.timeline.at(_later(at, lag), lambda at2: land(at2, dest))

    def land(at: datetime.datetime, dest: model.Host) -> None:
        state.move_server(server, dest.name)
        state.free(server, source)
        _rebind_ports(cloud, server)
        server.updated_at = at
        migration.set_status("completed", at)

    cloud.timeline.at(_later(now, duration * _SCHEDULE_SHARE), schedule)
