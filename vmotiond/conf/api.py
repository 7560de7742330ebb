"""Options of the [api] group: the REST endpoint."""

from keystoneauth1 import loading as ks_loading
from keystonemiddleware import auth_token
from oslo_config import cfg
from oslo_policy import opts as policy_opts

from vmotiond.conf import groups

GROUP = cfg.OptGroup(
    "api",
    title="REST API options",
    help="The REST endpoint: the vmoves history, and the operator's "
         "actions unless turned off.")

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
        help="How requests are authenticated. With keystone, configure "
             "[keystone_authtoken]; noauth logs a warning at start."),
    cfg.BoolOpt(
        "operator_actions",
        default=True,
        help="Serve the operator's actions (POST /v1/operator/...): each "
             "asks the engine over RPC ([engine] rpc_topic) what "
             "vmotiond-manage would ask. Off: those paths answer 404 and "
             "the API only reads."),
    cfg.BoolOpt(
        "metrics",
        default=True,
        help="Serve Prometheus metrics at GET /metrics: counts of hosts "
             "by monitor state, notifications and vmoves by type and "
             "status, alerts by type, read from the database at each "
             "scrape. Like /healthcheck it needs no token (a scraper has "
             "no Keystone token); it shows counts only, no host, "
             "instance or project. Turn it off, or block /metrics at "
             "the proxy, where the API's port is reachable by those who "
             "should not see them."),
    cfg.IntOpt(
        "max_limit",
        default=1000,
        min=1,
        help="Largest number of items one list request returns; a larger "
             "or absent limit is cut to it, and the reply links the next "
             "page."),
    cfg.IntOpt(
        "workers",
        default=1,
        min=1,
        help="Processes of the embedded server sharing the port "
             "(SO_REUSEPORT). One process runs Python on one core at a "
             "time: set it to the cores the API may use."),
    cfg.IntOpt(
        "threads",
        default=4,
        min=1,
        help="Worker threads of each embedded server process: requests "
             "served at the same time. Threads help while requests wait on "
             "the database; beyond a few they contend for Python's lock "
             "(with PyMySQL, 16 threads served a quarter fewer requests "
             "than 4). Idle keep-alive connections hold no thread."),
    cfg.IntOpt(
        "backlog",
        default=128,
        min=1,
        help="Connections the embedded server queues while all threads "
             "are busy."),
    cfg.IntOpt(
        "client_socket_timeout",
        default=60,
        min=1,
        help="Seconds the embedded server waits on an idle client socket "
             "before closing it."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register [api] and the libraries' groups the API reads.

    [keystone_authtoken] and [oslo_policy] are registered up front so
    that a bad value in them stops the start, not the first request.
    """
    groups.register(conf, GROUP, OPTS)
    for group, opts in auth_token.list_opts():
        conf.register_opts(opts, group=group)
    ks_loading.register_auth_conf_options(conf, "keystone_authtoken")
    policy_opts.set_defaults(conf)


def list_opts() -> dict[cfg.OptGroup, list[cfg.Opt]]:
    return {GROUP: OPTS}
