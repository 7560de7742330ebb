"""``vmotiond-sim``: serve a simulated cloud, or control a running one.

    vmotiond-sim --hosts 20 --standby 2 --servers 200 [--port P]
                 [--bind 127.0.0.1] [--seed N] [--clouds-yaml PATH]
                 [--no-network [catalog|noauth]]
    vmotiond-sim ctl --url http://127.0.0.1:P kill compute-0003
"""

import argparse
import json
import signal
import sys
import threading
from typing import Any
from typing import TypedDict
from urllib import error as urlerror
from urllib import request as urlrequest

from vmotiond.cmd import _errors
from vmotiond.sim import builder
from vmotiond.sim import cloud as cloud_mod
from vmotiond.sim import server as server_mod

NO_NETWORK_SHAPES = ("catalog", "noauth")


class ServerShape(TypedDict, total=False):
    network: bool
    noauth: bool


def server_options(no_network: str | None) -> ServerShape:
    """``SimServer`` keyword arguments of a ``--no-network`` choice."""
    if no_network is None:
        return {}
    if no_network == "noauth":
        return {"noauth": True}
    return {"network": False}


def _serve_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="vmotiond-sim",
        description="Serve a simulated OpenStack cloud (Keystone, Nova, "
                    "Placement, Neutron) over HTTP. 'vmotiond-sim ctl -h' "
                    "controls a running one.")
    p.add_argument("--hosts", type=int, default=20, help="compute hosts")
    p.add_argument("--standby", type=int, default=2, help="standby hosts")
    p.add_argument("--servers", type=int, default=200, help="servers")
    p.add_argument("--zones", type=int, default=1,
                   help="availability zones (az1..azN when more than 1)")
    p.add_argument("--port", type=int, default=0,
                   help="TCP port (0: any free port)")
    p.add_argument("--bind", default="127.0.0.1",
                   help="address to listen on (loopback by default)")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed, for a reproducible cloud")
    p.add_argument("--report-interval", type=float, default=10.0,
                   help="seconds between nova-compute heartbeats")
    p.add_argument("--service-down-time", type=float, default=60.0,
                   help="heartbeat age after which Nova says 'down'")
    p.add_argument("--shared-host-ip", default=None, metavar="ADDRESS",
                   help="report this host_ip for every host, as Nova's "
                        "fake driver does")
    p.add_argument("--instance-ha-url", default=None,
                   help="catalog URL of the instance-ha service (vmotiond)")
    p.add_argument("--clouds-yaml", default=None,
                   help="also write a clouds.yaml for openstacksdk here")
    p.add_argument("--no-network", nargs="?", const="catalog", default=None,
                   choices=NO_NETWORK_SHAPES,
                   help="a cloud without a network service: 'catalog' "
                        "(the default) leaves Neutron out of Keystone's "
                        "catalog; 'noauth' describes the cloud as a "
                        "clouds.yaml with auth_type none and endpoints for "
                        "compute and placement only, so network calls reach "
                        "Nova's URL and get its 404 page")
    return p


def _ctl_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vmotiond-sim ctl",
                                description="Control a running simulator.")
    p.add_argument("--url", required=True,
                   help="base URL printed by vmotiond-sim")
    sub = p.add_subparsers(dest="verb", required=True)
    sub.add_parser("state", help="summary of the cloud")
    for verb in ("host", "kill", "kill-compute", "revive"):
        sub.add_parser(verb, help="%s a host" % verb).add_argument("host")
    flap = sub.add_parser("flap", help="kill and revive a host repeatedly")
    flap.add_argument("host")
    flap.add_argument("--down", type=float, default=30.0)
    flap.add_argument("--up", type=float, default=30.0)
    flap.add_argument("--cycles", type=int, default=1)
    flap.add_argument("--compute-only", action="store_true")
    part = sub.add_parser("partition", help="cut callers off the API")
    part.add_argument("--mode", choices=("503", "timeout"), default="503")
    part.add_argument("--users", nargs="*", default=None)
    sub.add_parser("heal", help="end the partition")
    fault = sub.add_parser("fault", help="inject a fault")
    fault.add_argument("op", help="operation pattern, e.g. "
                                  "compute.action.evacuate or evacuate")
    fault.add_argument("kind", help="http_500, http_503, timeout, "
                                    "error_state or fip_unbound")
    fault.add_argument("--count", type=int, default=None)
    fault.add_argument("--server-id", default=None)
    fault.add_argument("--host", default=None)
    fault.add_argument("--seconds", type=float, default=30.0)
    fault.add_argument("--no-apply", action="store_true")
    sub.add_parser("clear-faults", help="remove every fault rule")
    for verb in ("latency", "http-latency"):
        lat = sub.add_parser(verb, help="set a latency distribution")
        lat.add_argument("op")
        lat.add_argument("spec", help='seconds, or JSON such as '
                                      '\'{"kind": "uniform", "low": 1, '
                                      '"high": 3}\'')
    for verb, what in (("hold", "park every OP from now on"),
                       ("release", "let the parked OPs go on")):
        sub.add_parser(verb, help=what).add_argument(
            "op", help="a long operation: evacuate, migrate, "
                       "live_migrate, start...")
    counts = sub.add_parser("counts", help="action call counts")
    counts.add_argument("server_id", nargs="?")
    adv = sub.add_parser("advance", help="advance a fake clock")
    adv.add_argument("seconds", type=float)
    return p


def _call(url: str, method: str, path: str, body: Any = None) -> Any:
    if not url.startswith(("http://", "https://")):
        raise SystemExit("--url must be an http(s) URL")
    data = json.dumps(body).encode() if body is not None else None
    req = urlrequest.Request(  # noqa: S310
        url.rstrip("/") + "/sim" + path, data=data,
        method=method, headers={"Content-Type": "application/json"})
    try:
        with urlrequest.urlopen(req, timeout=30) as resp:   # noqa: S310
            raw = resp.read()
    except urlerror.HTTPError as exc:
        raw = exc.read()
        print(raw.decode(), file=sys.stderr)
        raise SystemExit(1) from None
    return json.loads(raw) if raw else None


def ctl(argv: list[str]) -> int:
    args = _ctl_parser().parse_args(argv)
    url, verb = args.url, args.verb
    if verb == "state":
        out = _call(url, "GET", "")
    elif verb == "host":
        out = _call(url, "GET", "/hosts/%s" % args.host)
    elif verb in ("kill", "kill-compute", "revive"):
        out = _call(url, "POST", "/hosts/%s/%s" % (args.host, verb), {})
    elif verb == "flap":
        out = _call(url, "POST", "/hosts/%s/flap" % args.host, {
            "down": args.down, "up": args.up, "cycles": args.cycles,
            "compute_only": args.compute_only})
    elif verb == "partition":
        out = _call(url, "POST", "/partition",
                    {"mode": args.mode, "users": args.users})
    elif verb == "heal":
        out = _call(url, "DELETE", "/partition")
    elif verb == "fault":
        out = _call(url, "POST", "/faults", {
            "op": args.op, "kind": args.kind, "count": args.count,
            "server_id": args.server_id, "host": args.host,
            "seconds": args.seconds, "apply": not args.no_apply})
    elif verb == "clear-faults":
        out = _call(url, "DELETE", "/faults")
    elif verb in ("latency", "http-latency"):
        out = _call(url, "PUT", "/%s/%s" % (verb, args.op),
                    json.loads(args.spec))
    elif verb in ("hold", "release"):
        out = _call(url, "PUT" if verb == "hold" else "DELETE",
                    "/hold/%s" % args.op)
    elif verb == "counts":
        out = _call(url, "GET", "/servers/%s/counts" % args.server_id
                    if args.server_id else "/counts")
    else:
        out = _call(url, "POST", "/clock/advance", {"seconds": args.seconds})
    print(json.dumps(out, indent=2, sort_keys=True))
    return 0


def serve(argv: list[str]) -> int:
    args = _serve_parser().parse_args(argv)
    cloud = cloud_mod.SimCloud(seed=args.seed,
                               report_interval=args.report_interval,
                               service_down_time=args.service_down_time,
                               shared_host_ip=args.shared_host_ip)
    summary = builder.build(cloud, builder.Scenario(
        hosts=args.hosts, standby=args.standby, servers=args.servers,
        zones=args.zones))
    sim = server_mod.SimServer(cloud, host=args.bind, port=args.port,
                               instance_ha_url=args.instance_ha_url,
                               **server_options(args.no_network))
    url = sim.start()
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    print("vmotiond-sim: %(hosts)d hosts, %(standby)d standby, "
          "%(servers)d servers" % summary
          + ("; no network service (%s)" % args.no_network
             if args.no_network else ""))
    print("auth URL: %s" % sim.auth_url)
    print("control:  %s/sim" % url)
    print("clouds.yaml:")
    print(sim.clouds_yaml())
    if args.clouds_yaml:
        sim.write_clouds_yaml(args.clouds_yaml)
        print("wrote %s" % args.clouds_yaml)
    sys.stdout.flush()
    try:
        while not done.wait(3600):
            pass
    finally:
        sim.stop()
    return 0


@_errors.one_line_errors
def main() -> int:
    argv = sys.argv[1:]
    if argv and argv[0] == "ctl":
        return ctl(argv[1:])
    return serve(argv)
