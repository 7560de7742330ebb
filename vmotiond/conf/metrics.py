"""Options of the [metrics] group: the monitor's and engine's Prometheus
endpoints."""

from oslo_config import cfg

from vmotiond.conf import groups

GROUP = cfg.OptGroup(
    "metrics",
    title="Prometheus metrics of the monitor and the engine",
    help="Each of vmotiond-monitor and vmotiond-engine can serve what it "
         "counts (detections, fencing, failed cloud calls, evacuation and "
         "recovery times) at http://<bind_host>:<port>/metrics. The "
         "all-in-one vmotiond serves both on one port. The API's "
         "/metrics ([api] metrics) serves counts of rows instead.")

OPTS: list[cfg.Opt] = [
    cfg.HostAddressOpt(
        "bind_host",
        default="127.0.0.1",
        help="Address the metrics endpoints listen on. Loopback by "
             "default: set the address Prometheus reaches (the endpoint "
             "has no authentication; it shows counts and the names of cloud "
             "calls only)."),
    cfg.PortOpt(
        "monitor_port",
        default=0,
        help="Port of vmotiond-monitor's metrics endpoint; 0 (default): "
             "none, so an upgrade opens no new port. The all-in-one "
             "vmotiond uses it when engine_port is 0."),
    cfg.PortOpt(
        "engine_port",
        default=0,
        help="Port of vmotiond-engine's metrics endpoint, and of the "
             "all-in-one vmotiond's; 0 (default): none. Must differ from "
             "monitor_port where both processes run on one host."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    groups.register(conf, GROUP, OPTS)


def list_opts() -> dict[cfg.OptGroup, list[cfg.Opt]]:
    return {GROUP: OPTS}


def all_in_one_port(conf: cfg.ConfigOpts) -> int:
    """The one port of the all-in-one's endpoint (0: none)."""
    return int(conf.metrics.engine_port or conf.metrics.monitor_port)
