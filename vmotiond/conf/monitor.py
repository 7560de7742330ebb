"""Options of the [monitor] group: how vmotiond decides a host is dead."""

from oslo_config import cfg

GROUP = cfg.OptGroup(
    "monitor",
    title="Host monitor options",
    help="Polling of Nova's compute services and the decision that a host "
         "is dead.")

OPTS = [
    cfg.FloatOpt(
        "poll_interval",
        default=2.0,
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


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> dict[cfg.OptGroup, list[cfg.Opt]]:
    return {GROUP: OPTS}
