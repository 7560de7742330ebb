"""Options of the [api] group: the read-only REST endpoint."""

from oslo_config import cfg

GROUP = cfg.OptGroup(
    "api",
    title="REST API options",
    help="The read-only REST endpoint serving the vmoves history.")

OPTS = [
    cfg.HostAddressOpt(
        "bind_host",
        default="127.0.0.1",
        help="Address the embedded server listens on."),
    cfg.PortOpt(
        "bind_port",
        default=15868,
        help="Port the embedded server listens on."),
    cfg.StrOpt(
        "auth_strategy",
        default="keystone",
        choices=[("keystone", "Validate tokens with keystonemiddleware."),
                 ("noauth", "No authentication; for the local demo only.")],
        help="How requests are authenticated."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> dict[cfg.OptGroup, list[cfg.Opt]]:
    return {GROUP: OPTS}
