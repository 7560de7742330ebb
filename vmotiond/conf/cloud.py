"""Options of the [cloud] group: how vmotiond reaches OpenStack."""

from oslo_config import cfg

from vmotiond.conf import groups

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
        "clouds_file",
        help="Path of the clouds.yaml that holds the cloud named by "
             "'cloud'. When set, it is the only one read and openstacksdk's "
             "environment ($OS_CLIENT_CONFIG_FILE, $OS_CLOUD, $OS_*) is "
             "ignored. When unset, openstacksdk's usual places are searched "
             "($OS_CLIENT_CONFIG_FILE, ./clouds.yaml, "
             "~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml)."),
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
        help="Compute API microversion for reads and host switches; at least "
             "2.53 (services and hypervisors by UUID). Evacuations choose "
             "their own (see [engine])."),
    cfg.StrOpt(
        "hypervisor_api_version",
        default="2.87",
        help="Compute API microversion for the hypervisors list. 2.87 is the "
             "last one that reports running_vms; capacity itself always "
             "comes from Placement."),
    cfg.StrOpt(
        "placement_api_version",
        default="1.29",
        help="Placement API microversion; at least 1.27 (provider summaries "
             "of every resource class)."),
    cfg.StrOpt(
        "capacity_source",
        default="bulk",
        choices=[("bulk", "One GET /allocation_candidates per cycle gives "
                          "capacity and usage of every provider with room; "
                          "only full providers are read one by one."),
                 ("exact", "Inventories and usages read per provider: two "
                           "calls per host; exact totals, reserved and "
                           "ratios. For small clouds.")],
        help="How host capacity is read from Placement, which has no bulk "
             "inventory or usage endpoint."),
    cfg.IntOpt(
        "page_size",
        default=1000,
        min=1,
        help="Items asked for per page of a paginated list call."),
    cfg.FloatOpt(
        "api_timeout",
        default=30.0,
        min=1.0,
        help="Seconds one API call may take before it fails (and is "
             "retried, see api_retries)."),
    cfg.IntOpt(
        "api_retries",
        default=3,
        min=0,
        help="Retries of an API call that timed out or got a 5xx answer. "
             "The monitor's polls are not retried: its next poll is."),
    cfg.FloatOpt(
        "api_retry_backoff",
        default=0.5,
        min=0.0,
        help="First back-off in seconds between retries; it doubles each "
             "retry."),
    cfg.FloatOpt(
        "api_retry_backoff_max",
        default=10.0,
        min=0.0,
        help="Longest back-off in seconds between two retries."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    groups.register(conf, GROUP, OPTS)


def list_opts() -> dict[cfg.OptGroup, list[cfg.Opt]]:
    return {GROUP: OPTS}
