"""The words the pages' scripts show, translated on the server.

The scripts receive them as one JSON data block, so the gettext catalog
holds every word of the console, the scripts' included.
"""

from collections.abc import Callable


def _(text: str) -> str:
    """Mark ``text`` for the catalog (extracted, translated later)."""
    return text


SCRIPT_TEXTS = {
    # Host monitor states.
    "up": _("up"), "suspect": _("suspect"), "down": _("down"),
    "fenced": _("fenced"), "recovering": _("recovering"),
    "recovered": _("recovered"), "maintenance": _("maintenance"),
    "disabled": _("disabled"),
    # Roles and switches.
    "normal": _("normal"), "standby": _("standby"), "on": _("on"),
    "off": _("off"),
    # Notification and vmove statuses.
    "new": _("new"), "running": _("running"), "finished": _("finished"),
    "failed": _("failed"), "ignored": _("ignored"), "aborted": _("aborted"),
    "pending": _("pending"), "ongoing": _("ongoing"),
    "succeeded": _("succeeded"),
    # Notification and vmove types.
    "COMPUTE_HOST": _("host failure"), "HOST_DRAIN": _("host drain"),
    "CUSTOM_MIGRATION": _("custom migration"), "MOVE_BACK": _("move back"),
    "RESET_STATE": _("state reset"), "HOST_RELEASE": _("host release"),
    "evacuation": _("evacuation"), "migration": _("migration"),
    "live_migration": _("live migration"), "reset_state": _("state reset"),
    # Messages.
    "loading": _("Loading…"), "updated": _("Updated at"),
    "no_hosts": _("No host is known yet."),
    "no_tasks": _("No task yet."),
    "no_moves": _("This task moves no instance."),
    "not_found": _("No such task."),
    "expired": _("Your session has ended: log in again."),
    "error": _("The API answered with an error:"),
    "nova_state": _("nova-compute"), "forced_down": _("forced down"),
    "since": _("since"), "heartbeat": _("last heartbeat"),
    "management": _("management"), "tunnel": _("tunnel"),
    "step": _("Stage"), "started": _("Started"),
    "ended": _("Ended"), "result": _("Result"), "context": _("Context"),
    "attempt": _("Attempt"), "no_steps": _("No stage has run yet."),
    "type": _("Type"), "host": _("Host"), "status": _("Status"),
    "generated": _("Generated"), "created": _("Received"),
    "message": _("Message"),
    # Timeline.
    "heartbeat_lost": _("heartbeat lost"), "detected": _("down detected"),
    "received": _("notification received"),
    "all_running": _("last instance running again"),
    "timeline_empty": _("No move has started yet."),
    "seconds": _("s"),
    # Instances.
    "no_instances": _("No instance here."),
    "no_targets": _("No host accepts the whole selection."),
    "selected": _("Selected instances:"),
    "floating": _("floating"),
    # Actions and their answers.
    "make_standby": _("Make standby"), "make_normal": _("Make normal"),
    "set_role": _("Set the role"),
    "evacuate_on": _("Turn auto-evacuation on"),
    "evacuate_off": _("Turn auto-evacuation off"),
    "set_evacuate": _("Set auto-evacuation"),
    "drain": _("Migrate all"), "custom_migrate": _("Custom migration"),
    "move_back": _("Move back"),
    "release": _("Release"), "redo": _("Redo"), "reset": _("Reset"),
    "delete": _("Delete"), "abort": _("Abort"), "select": _("Select"),
    "confirm_drain": _("Migrate every instance away from this host? "
                       "Standby hosts first:"),
    "confirm_move_back": _("Move the instances back to this host:"),
    "confirm_release": _("Release this fenced host back to service:"),
    "confirm_redo": _("Run the selected failed moves again?"),
    "confirm_reset": _("Reset the selected moves so that they run again?"),
    "confirm_abort": _("Abort this task? Moves not started will not run. "
                       "Host:"),
    "task_started": _("started task"), "done": _("done"),
    "accepted": _("accepted; this page shows its progress"),
    "refused": _("refused:"),
    "none_selected": _("No move is selected."),
    "task_actions": _("Moves of this task:"),
    "sync": _("Sync from OpenStack"),
    "sync_counts": _("{created} created, {updated} updated, {deleted} "
                     "deleted"),
    "migrate_to": _("Migrate to"), "target_host": _("Target host"),
    "planner_chooses": _("Let the planner choose"),
    "reset_active": _("Reset state to active"),
    "reset_error": _("Reset state to error"),
    "confirm_migrate_to": _("Migrate the selected instances to host"),
    "confirm_planner_chooses": _("Migrate the selected instances to hosts "
                                 "the planner chooses?"),
    "confirm_reset_state": _("Reset the state of the selected instances?"),
}


def for_script(gettext: Callable[[str], str]) -> dict[str, str]:
    """``SCRIPT_TEXTS`` in the language of ``gettext``."""
    return {key: gettext(text) for key, text in SCRIPT_TEXTS.items()}
