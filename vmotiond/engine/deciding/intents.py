"""Per-instance decisions: move it or not, how, and with which steps.

Pure rules over one ``records.Server``. Nova evacuates only instances whose
vm_state is active, stopped or error and whose task_state is empty, so
others are first reset to error, and their state restored afterwards
(``restore_state``, last): paused and suspended again; a rescue, which Nova
cannot redo, fails the vmove once the instance runs on its target.
"""

from collections.abc import Callable
import dataclasses

from vmotiond import constants
from vmotiond.cloud import records
from vmotiond.engine.deciding import names as n
from vmotiond.engine.deciding import ordering
from vmotiond.engine.deciding import protection
from vmotiond.engine.deciding.records import IgnoredMove
from vmotiond.engine.deciding.records import MoveIntent
from vmotiond.engine.deciding.records import PlanOptions

Decision = MoveIntent | IgnoredMove

ACTIVE = "ACTIVE"
SHUTOFF = "SHUTOFF"
ERROR = "ERROR"
SUSPENDED = "SUSPENDED"
# Running before the failure, but in a state Nova will not evacuate.
_RUNNING_BUSY = frozenset({"REBOOT", "HARD_REBOOT", "PASSWORD"})
# Reset to error, evacuated, started, then put back in this state.
_RESTORABLE = frozenset({"PAUSED", "SUSPENDED", "RESCUE"})
_SHELVED = frozenset({"SHELVED", "SHELVED_OFFLOADED"})
# In a move or a build when the host failed: two hosts may hold parts of it.
_IN_TRANSIT = frozenset({"BUILD", "MIGRATING", "RESIZE", "VERIFY_RESIZE",
                         "REVERT_RESIZE", "REBUILD"})
_DELETED = frozenset({"DELETED", "SOFT_DELETED"})
# Moved live by drains and move-backs: Nova live-migrates ACTIVE and
# PAUSED; a SUSPENDED one is resumed first and suspended again after.
_LIVE_MOVABLE = frozenset({ACTIVE, "PAUSED", SUSPENDED})

# ``[engine] local_disk_policy``: leave an instance whose disk was local.
LOCAL_DISK_SKIP = "skip"

_FIP_STEPS = frozenset({n.RECORD_FLOATING_IPS, n.REBIND_FLOATING_IPS,
                        n.CHECK_FLOATING_IPS})
_RESET_ERROR = n.step_key(n.RESET_STATE, "error")


def with_floating_ips(steps: tuple[str, ...], move_type: str,
                      enabled: bool) -> tuple[str, ...]:
    """``steps`` with the floating-IP steps ``[engine] floating_ip_steps``
    calls for, whatever the ones they had: record before the move; after
    it, rebind (evacuations only: a migration keeps the ports bound) and
    check; ``restore_state`` stays last. Applied when a vmove is planned
    and again when it is redone."""
    core = tuple(k for k in steps if k not in _FIP_STEPS)
    if not enabled:
        return core
    restore = tuple(k for k in core
                    if n.parse_step_key(k)[0] == n.RESTORE_STATE)
    body = tuple(k for k in core if k not in restore)
    tail = (n.REBIND_FLOATING_IPS,) if move_type == constants.EVACUATION \
        else ()
    return ((n.RECORD_FLOATING_IPS,) + body + tail
            + (n.CHECK_FLOATING_IPS,) + restore)


def evacuation(server: records.Server, failed_host: str,
               options: PlanOptions,
               aggregate: protection.Layer | None = None,
               images: records.Images | None = None) -> Decision:
    """Decide what the recovery of ``failed_host`` does with ``server``;
    ``aggregate`` is the protection ``failed_host``'s aggregates give
    (``protection.aggregate_layer``), None when unknown; ``images`` the
    images of the host's instances, None when not read. What could not be
    read is named in the vmove's message."""
    priority = ordering.priority_of(server.metadata, options.default_priority)
    status = (server.status or "").upper()

    def ignore(reason: str, message: str) -> IgnoredMove:
        return IgnoredMove(server, failed_host, constants.EVACUATION,
                           priority, reason, message)

    if status == "SHELVED_OFFLOADED":
        return ignore(n.IGNORE_STATE, "shelved offloaded: it runs on no "
                      "host; unshelving it places it anew")
    if server.host != failed_host:
        return ignore(n.IGNORE_ALREADY_MOVED,
                      "already on host %s, not on the failed host %s"
                      % (server.host, failed_host))
    if ordering.opted_out(server.metadata):
        return ignore(n.IGNORE_OPTED_OUT, "opted out by metadata %s=%s"
                      % (ordering.EVACUATE_KEY,
                         server.metadata[ordering.EVACUATE_KEY]))
    image = images.found.get(server.image_id or "") if images else None
    owner = protection.service_owner(server, options.service_projects,
                                     options.service_names, image,
                                     options.service_image_tags)
    if owner and not options.evacuate_service_instances:
        return ignore(n.IGNORE_SERVICE_OWNED, "belongs to a service (%s), "
                      "which recovers it its own way; [engine] "
                      "evacuate_service_instances is off" % owner)
    layer = protection.image_layer(server, images,
                                   options.protection_image_key)
    judged = protection.verdict(
        protection.layers(server, options.protection_metadata_key,
                          options.protection_flavor_key, aggregate, layer),
        server.name, options.protected_names, not options.ha_enabled_only)
    unread = _unread_notes(judged, layer, bool(options.service_image_tags))
    if not judged.protected:
        return ignore(n.IGNORE_OPTED_OUT, "; ".join(["not protected: %s" % (
            judged.detail if judged.source != protection.DEFAULT else
            "neither its metadata, its flavor nor its image sets %s, nor "
            "its host's aggregates %s, no name pattern matches and "
            "[engine] ha_enabled_only is set" % (
                options.protection_metadata_key,
                options.protection_aggregate_key))] + unread))
    decision = _by_state(server, failed_host, options, priority, ignore)
    if not isinstance(decision, MoveIntent):
        return decision
    if not protection.local_disk(server, failed_host,
                                 options.shared_storage_hosts):
        return dataclasses.replace(decision, note="; ".join(unread) or None)
    lost = ("its disk was local to %s (booted from an image, host not in "
            "[engine] shared_instance_storage): an evacuation rebuilds it "
            "from its image and its local data is lost" % failed_host)
    if options.local_disk_policy == LOCAL_DISK_SKIP:
        return ignore(n.IGNORE_LOCAL_DISK, "%s; [engine] local_disk_policy "
                      "is skip" % lost)
    return dataclasses.replace(decision, note="; ".join(unread + [
        "%s; [engine] local_disk_policy is evacuate" % lost]))


def _unread_notes(judged: protection.Verdict,
                  image: protection.Layer | None, tags: bool) -> list[str]:
    """The sources ``judged`` passed over unread, each said once; an
    unread ``image`` says its tags are unknown too when ``tags`` (the
    service-owned rule) could have used them."""
    notes = list(dict.fromkeys(judged.unread))
    if image is None or image.unread is None or not tags:
        return notes
    said = protection.unknown(image)
    if said in notes:
        notes[notes.index(said)] = protection.unknown(image, tags=True)
    else:
        notes.insert(0, "image tags unknown (%s)" % image.unread)
    return notes


def _by_state(server: records.Server, failed_host: str,
              options: PlanOptions, priority: int,
              ignore: Callable[[str, str], IgnoredMove]) -> Decision:
    """The evacuation of ``server`` its status calls for."""
    status = (server.status or "").upper()
    reset = (_RESET_ERROR,) if server.task_state else ()

    def move(steps: tuple[str, ...], final: str | None) -> MoveIntent:
        steps = with_floating_ips(steps, constants.EVACUATION,
                                  options.floating_ips)
        return MoveIntent(server, failed_host, constants.EVACUATION,
                          priority, steps, final)

    if status == ACTIVE:
        return move(reset + (n.EVACUATE, n.WAIT_MOVED, n.START), ACTIVE)
    if status == SHUTOFF:
        return move(reset + (n.EVACUATE, n.WAIT_MOVED, n.STOP), SHUTOFF)
    if status in _RUNNING_BUSY:
        return move((_RESET_ERROR, n.EVACUATE, n.WAIT_MOVED, n.START),
                    ACTIVE)
    if status == ERROR:
        if not options.evacuate_error_instances:
            return ignore(n.IGNORE_STATE, "in ERROR and [engine] "
                          "evacuate_error_instances is off")
        return move(reset + (n.EVACUATE, n.WAIT_MOVED), None)
    if status in _RESTORABLE:
        # Restored last: an instance that cannot be fails its vmove only
        # after its floating IPs are seen to.
        return move((_RESET_ERROR, n.EVACUATE, n.WAIT_MOVED, n.START,
                     n.step_key(n.RESTORE_STATE, status)), status)
    if status in _SHELVED:
        return ignore(n.IGNORE_STATE, "shelved: Nova cannot evacuate it; "
                      "unshelve it by hand")
    if status in _IN_TRANSIT:
        return ignore(n.IGNORE_STATE, "was in %s (task %s) when the host "
                      "failed; Nova cannot evacuate it safely, check it by "
                      "hand" % (status, server.task_state or "none"))
    if status in _DELETED:
        return ignore(n.IGNORE_STATE, "deleted (%s)" % status)
    return ignore(n.IGNORE_STATE, "in state %s, which vmotiond does not "
                  "evacuate" % (status or "unknown"))


MODE_AUTO = "auto"
MODE_LIVE = "live"
MODE_COLD = "cold"
MODES = (MODE_AUTO, MODE_LIVE, MODE_COLD)


def planned_move(server: records.Server, source_host: str | None,
                 options: PlanOptions, mode: str = MODE_AUTO) -> Decision:
    """Decide how a drain or custom migration moves ``server``.

    ``auto`` live-migrates running, paused and suspended instances (a
    suspended one is resumed for the move and suspended again, a paused one
    checked to be paused after it) and cold-migrates stopped ones; ``live``
    and ``cold`` force the kind. States Nova refuses are ignored with its
    reason, never tried.
    """
    if mode not in MODES:
        raise ValueError("unknown migration mode %s" % mode)
    priority = ordering.priority_of(server.metadata, options.default_priority)
    status = (server.status or "").upper()
    live = status in _LIVE_MOVABLE
    if mode == MODE_LIVE or (mode == MODE_AUTO and live):
        kind = constants.LIVE_MIGRATION
    else:
        kind = constants.MIGRATION

    def ignore(reason: str, message: str) -> IgnoredMove:
        return IgnoredMove(server, source_host, kind, priority, reason,
                           message)

    if source_host is not None and server.host != source_host:
        return ignore(n.IGNORE_ALREADY_MOVED, "already on host %s, not on %s"
                      % (server.host, source_host))
    if server.host is None:
        return ignore(n.IGNORE_STATE, "in state %s and on no host"
                      % (status or "unknown"))
    if server.task_state:
        return ignore(n.IGNORE_STATE, "busy: %s (task %s); retry when it "
                      "ends" % (status, server.task_state))
    if kind == constants.LIVE_MIGRATION:
        if status == "RESCUE":
            return ignore(n.IGNORE_STATE, "rescued: Nova refuses to "
                          "live-migrate a rescued instance; unrescue it "
                          "first")
        if not live:
            return ignore(n.IGNORE_STATE, "in %s: Nova live-migrates only "
                          "ACTIVE or PAUSED instances (vmotiond resumes a "
                          "SUSPENDED one first)" % (status or "unknown"))
        steps: tuple[str, ...] = (n.LIVE_MIGRATE, n.WAIT_MOVED)
        if status == SUSPENDED:
            steps = (n.RESUME,) + steps
        if status != ACTIVE:
            steps += (n.step_key(n.RESTORE_STATE, status),)
        return MoveIntent(server, server.host, kind, priority,
                          with_floating_ips(steps, kind, options.floating_ips),
                          status)
    if status not in (ACTIVE, SHUTOFF):
        return ignore(n.IGNORE_STATE, "in %s: Nova cold-migrates only ACTIVE "
                      "or SHUTOFF instances" % (status or "unknown"))
    steps = with_floating_ips((n.MIGRATE, n.WAIT_MOVED, n.CONFIRM_RESIZE),
                              kind, options.floating_ips)
    return MoveIntent(server, server.host, kind, priority, steps, status)
