"""Options of the [cloud] group: how vmotiond reaches OpenStack."""

from oslo_config import cfg

GROUP = cfg.OptGroup(
    "cloud",
    title="Cloud options",
    help="How vmotiond reaches the OpenStack APIs (through openstacksdk).")

OPTS = [
    cfg.StrOpt(
        "cloud",
        default="vmotiond",
        help="Name of the cloud in clouds.yaml whose credentials vmotiond "
             "uses. It needs the admin role."),
    cfg.StrOpt(
        "region_name",
        help="Region to use; the cloud's default when unset."),
    cfg.StrOpt(
        "interface",
        default="internal",
        choices=["public", "internal", "admin"],
        help="Which endpoint of each service to call."),
    cfg.StrOpt(
        "compute_api_version",
        default="2.94",
        help="Compute API microversion for reads. Evacuations choose their "
             "own (see [engine])."),
    cfg.FloatOpt(
        "api_timeout",
        default=30.0,
        min=1.0,
        help="Seconds one API call may take before it is retried."),
    cfg.IntOpt(
        "api_retries",
        default=3,
        min=0,
        help="Retries of an API call that timed out or got a 5xx answer."),
    cfg.FloatOpt(
        "api_retry_backoff",
        default=0.5,
        min=0.0,
        help="First back-off in seconds between retries; it doubles each "
             "retry."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> dict[cfg.OptGroup, list[cfg.Opt]]:
    return {GROUP: OPTS}
