"""Options of the [coordination] group: tooz locks and leader election."""

from oslo_config import cfg

from vmotiond.conf import groups

GROUP = cfg.OptGroup(
    "coordination",
    title="Coordination options",
    help="Where the vmotiond processes of a cloud agree on who decides and "
         "who recovers which host.")

OPTS: list[cfg.Opt] = [
    cfg.StrOpt(
        "backend_url",
        default="file://$state_path/coordination",
        help="tooz backend URL. file:// serves one machine only; use "
             "redis://, etcd3+http://, zookeeper:// or mysql:// when several "
             "controllers run vmotiond."),
    cfg.FloatOpt(
        "heartbeat_interval",
        default=1.0,
        min=0.1,
        help="Seconds between heartbeats to the coordination backend."),
    cfg.FloatOpt(
        "lease_timeout",
        default=10.0,
        min=1.0,
        help="Seconds after which a silent member loses its leadership and "
             "its locks."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    groups.register(conf, GROUP, OPTS)


def list_opts() -> dict[cfg.OptGroup, list[cfg.Opt]]:
    return {GROUP: OPTS}
