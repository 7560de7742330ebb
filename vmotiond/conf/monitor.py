"""Options of the [monitor] group: how vmotiond decides a host is dead.

The defaults assume Nova's default ``report_interval`` of 10 s: a host whose
heartbeats stop is declared down 23-26 s after its last heartbeat (suspect
after ``heartbeat_threshold``, down ``down_grace`` later, one poll a
second), under the 30 s bound, and late enough that every host killed at
the same moment is already counted by the mass-failure guard (as lagging)
when the first of them could be declared down.
"""

from oslo_config import cfg
from oslo_config import types

from vmotiond.conf import groups

GROUP = cfg.OptGroup(
    "monitor",
    title="Host monitor options",
    help="Polling of Nova's compute services and the decision that a host "
         "is dead.")

POLL_OPTS = [
    cfg.FloatOpt(
        "poll_interval",
        default=1.0,
        min=0.1,
        help="Seconds between two polls of Nova's compute services."),
    cfg.FloatOpt(
        "sync_interval",
        default=300.0,
        min=1.0,
        help="Seconds between two inventory syncs into the hosts table."),
    cfg.StrOpt(
        "notification_topic",
        default="vmotiond_notifications",
        help="oslo.messaging topic on which host notifications are sent "
             "and heard."),
]

DETECTION_OPTS = [
    cfg.FloatOpt(
        "heartbeat_threshold",
        default=14.0,
        min=1.0,
        help="Seconds a host's heartbeat (os-services updated_at) may age "
             "before the host turns suspect. The age is measured against "
             "the freshest heartbeat of the same answer, and the heartbeat "
             "must also not have changed for this long on the monitor's "
             "clock, so clock skew cannot make a host look dead. Keep it a "
             "few seconds above Nova's report_interval."),
    cfg.FloatOpt(
        "down_grace",
        default=9.0,
        min=0.0,
        help="Seconds a host must stay suspect (stale heartbeat on every "
             "poll) before it may be declared down."),
    cfg.IntOpt(
        "down_observations",
        default=3,
        min=1,
        help="Consecutive polls that must see a stale heartbeat before a "
             "host may be declared down."),
    cfg.FloatOpt(
        "lagging_threshold",
        default=11.0,
        min=0.0,
        help="Heartbeat age in seconds beyond which a host counts as "
             "failing for the mass-failure guard, even before it is "
             "suspect. Keep it just above Nova's report_interval."),
]

PROBE_OPTS = [
    cfg.StrOpt(
        "probe_driver",
        default="tcp",
        choices=[("tcp", "TCP connect to the host's management IP."),
                 ("none", "No independent probe; heartbeats decide alone.")],
        help="Independent probe that must fail too before a host is "
             "declared down. A host whose nova-compute is dead but which "
             "answers the probe is reported as a process failure and "
             "never evacuated."),
    cfg.ListOpt(
        "probe_ports",
        item_type=types.Port(),
        default=[22],
        help="TCP ports the tcp probe connects to; the host answers if any "
             "of them accepts a connection or refuses it actively."),
    cfg.FloatOpt(
        "probe_timeout",
        default=1.0,
        min=0.05,
        help="Seconds one probe connection may take."),
    cfg.IntOpt(
        "probe_failures",
        default=2,
        min=1,
        help="Consecutive failed probes required before a host is declared "
             "down."),
    cfg.IntOpt(
        "probe_workers",
        default=16,
        min=1,
        help="Threads probing hosts in parallel."),
]

DAMPING_OPTS = [
    cfg.FloatOpt(
        "flap_window",
        default=120.0,
        min=1.0,
        help="Window in seconds in which a host's turns to suspect are "
             "counted for flap damping."),
    cfg.IntOpt(
        "flap_threshold",
        default=3,
        min=2,
        help="Turns to suspect within flap_window that mark a host as "
             "flapping; no recovery decision is taken for it then."),
    cfg.FloatOpt(
        "flap_hold_down",
        default=120.0,
        min=0.0,
        help="Seconds a flapping host stays damped after its last turn to "
             "suspect."),
    cfg.FloatOpt(
        "recovery_soak",
        default=60.0,
        min=0.0,
        help="Seconds a failed host must report healthy heartbeats (and "
             "answer the probe) before it is declared recovered."),
]

GUARD_OPTS = [
    cfg.FloatOpt(
        "max_failing_share",
        default=0.5,
        min=0.0,
        max=1.0,
        help="If more than this share of the watched hosts fail (suspect, "
             "lagging, or turned suspect within failure_window) the monitor "
             "takes no recovery decision and raises an alert instead."),
    cfg.IntOpt(
        "max_failing_hosts",
        default=0,
        min=0,
        help="If more than this number of hosts fail at once, same as "
             "max_failing_share. 0 disables the absolute limit."),
    cfg.FloatOpt(
        "failure_window",
        default=60.0,
        min=0.0,
        help="Seconds a host that turned suspect keeps counting for the "
             "mass-failure guard."),
    cfg.FloatOpt(
        "guard_hold_down",
        default=60.0,
        min=0.0,
        help="Seconds decisions stay blocked after the last time a guard "
             "(mass failure, all heartbeats stale, Nova unreachable) was "
             "seen."),
    cfg.FloatOpt(
        "max_failing_share_per_zone",
        default=1.0,
        min=0.0,
        max=1.0,
        help="If more than this share of the watched hosts of one "
             "availability zone fail within failure_window (two hosts at "
             "least), no host of that zone is declared down until "
             "guard_hold_down after the zone was last seen so; an alert "
             "is raised. Other zones are decided as usual. 1.0 disables "
             "the cap."),
    cfg.IntOpt(
        "max_failing_hosts_per_zone",
        default=0,
        min=0,
        help="If more than this number of hosts of one availability zone "
             "fail at once, same as max_failing_share_per_zone. 0 "
             "disables the limit."),
    cfg.FloatOpt(
        "max_failing_share_per_aggregate",
        default=1.0,
        min=0.0,
        max=1.0,
        help="max_failing_share_per_zone for each host aggregate (read "
             "from Nova at every sync_interval). 1.0 disables the cap."),
    cfg.IntOpt(
        "max_failing_hosts_per_aggregate",
        default=0,
        min=0,
        help="max_failing_hosts_per_zone for each host aggregate. 0 "
             "disables the limit."),
    cfg.IntOpt(
        "max_verdicts_per_cycle",
        default=0,
        min=0,
        help="At most this many hosts are declared down (and so fenced "
             "and evacuated) per poll_interval; the others stay suspect "
             "and are declared on the next cycles, oldest failure first. "
             "0 means no limit."),
]

LISTENER_OPTS = [
    cfg.StrOpt(
        "listener_topic",
        default="vmotiond_claims",
        help="oslo.messaging topic on which claims of other monitors "
             "(vmotiond.host.down, masakari-monitors host events) are "
             "heard."),
    cfg.StrOpt(
        "listener_pool",
        default="vmotiond-monitor",
        help="Listener pool name: the monitor processes of one cloud share "
             "one queue, so each claim is handled once."),
    cfg.ListOpt(
        "trusted_publishers",
        default=[],
        help="Publisher ids (or prefixes ending with '*') whose claims are "
             "acted on without checking the host against Nova first."),
    cfg.FloatOpt(
        "claim_max_age",
        default=300.0,
        min=1.0,
        help="Claims generated longer ago than this many seconds are "
             "rejected as stale."),
]

TRUST_OPTS = [
    cfg.StrOpt(
        "verdict_key",
        secret=True,
        help="Shared secret of the monitor and the engine. The monitor "
             "signs every notification it sends with an HMAC-SHA256 of this "
             "key; the engine then acts on a vmotiond.host.down message only "
             "when it carries a valid signature, and refuses (records and "
             "alerts) any other. Unset: nothing is signed, and the engine "
             "treats every vmotiond.host.down message as a claim that Nova "
             "must confirm (a host with a fresh heartbeat is refused). Set "
             "the same value on every monitor and engine."),
]

OPTS = (POLL_OPTS + DETECTION_OPTS + PROBE_OPTS + DAMPING_OPTS + GUARD_OPTS
        + LISTENER_OPTS + TRUST_OPTS)


def register_opts(conf: cfg.ConfigOpts) -> None:
    groups.register(conf, GROUP, OPTS)


def list_opts() -> dict[cfg.OptGroup, list[cfg.Opt]]:
    return {GROUP: OPTS}
