"""The demo's scenario: build, kill, follow, check, move back."""

import argparse
import os
import shutil
import threading

from vmotiond import clock as clock_mod
from vmotiond import config
from vmotiond import constants
from vmotiond import engine_client
from vmotiond import messaging
from vmotiond import service
from vmotiond.cloud import openstack as cloud_openstack
from vmotiond.cloud import records
from vmotiond.cmd import all as all_in_one
from vmotiond.cmd import sim as cmd_sim
from vmotiond.db import api as db_api
from vmotiond.demo import report
from vmotiond.monitor import probe as probe_mod
from vmotiond.sim import builder
from vmotiond.sim import cloud as sim_cloud
from vmotiond.sim import server as sim_server
from vmotiond.sim import states as sim_states

DEMO_MIX = {sim_states.ACTIVE: 80, sim_states.STOPPED: 20}
DETECTION_DEADLINE = 120.0
RECOVERY_DEADLINE = 180.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m vmotiond.demo",
        description="A host dies and vmotiond brings its instances back.")
    parser.add_argument("--state-dir", default=os.path.join("var", "demo"),
                        help="where the demo keeps its database, config "
                             "and logs (emptied first; default %(default)s)")
    parser.add_argument("--hosts", type=int, default=6,
                        help="normal compute hosts (default %(default)s)")
    parser.add_argument("--standby", type=int, default=2,
                        help="standby hosts (default %(default)s)")
    parser.add_argument("--servers", type=int, default=60,
                        help="instances (default %(default)s)")
    parser.add_argument("--seed", type=int, default=7,
                        help="seed of the simulated cloud")
    parser.add_argument("--no-network", nargs="?", const="catalog",
                        default=None, choices=cmd_sim.NO_NETWORK_SHAPES,
                        help="run on a cloud without a network service "
                             "(see vmotiond-sim --no-network); the "
                             "floating-IP steps are skipped")
    parser.add_argument("--keep-running", action="store_true",
                        help="keep vmotiond and the cloud running at the "
                             "end, until Ctrl-C")
    return parser


def _write_config(state_dir: str, clouds_file: str, api_port: int) -> str:
    path = os.path.join(state_dir, "vmotiond.conf")
    with open(path, "w") as f:
        f.write(
            "[DEFAULT]\n"
            "state_path = %(state)s\n"
            "log_file = %(state)s/vmotiond.log\n"
            "transport_url = fake://\n"
            "[cloud]\n"
            "cloud = %(cloud)s\n"
            "clouds_file = %(clouds)s\n"
            "interface = public\n"
            "[api]\n"
            "auth_strategy = noauth\n"
            "bind_port = %(port)d\n"
            "[monitor]\n"
            "# The demo waits 20 s, not 60 s, before it trusts a revived "
            "host.\n"
            "recovery_soak = 20\n"
            % {"state": os.path.abspath(state_dir),
               "cloud": sim_server.CLOUD_NAME, "clouds": clouds_file,
               "port": api_port})
    return path


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Demo:
    """One run of the demo; ``run()`` returns the exit code."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.clock = clock_mod.Clock()
        self.stopped = threading.Event()
        self.out = report.Printer(self.clock)
        self.started = self.clock.monotonic()
        self.told = False

    def verdict(self, code: int) -> None:
        """Print whether the demo succeeded and how long it took, once."""
        if not self.told:
            self.told = True
            print(report.verdict(code,
                                 self.clock.monotonic() - self.started),
                  flush=True)

    def run(self) -> int:
        args = self.args
        shutil.rmtree(args.state_dir, ignore_errors=True)
        os.makedirs(args.state_dir)
        self.sim = sim_cloud.SimCloud(seed=args.seed)
        summary = builder.build(self.sim, builder.Scenario(
            hosts=args.hosts, standby=args.standby, servers=args.servers,
            state_mix=dict(DEMO_MIX), floating_ip_ratio=0.5,
            anti_affinity_groups=0))
        port = _free_port()
        server = sim_server.SimServer(
            self.sim, instance_ha_url="http://127.0.0.1:%d/v1" % port,
            **cmd_sim.server_options(args.no_network))
        url = server.start()
        try:
            clouds = os.path.abspath(os.path.join(args.state_dir,
                                                  "clouds.yaml"))
            server.write_clouds_yaml(clouds)
            self.out.line("simulated cloud at %s: %d hosts (%d standby), "
                          "%d instances%s" % (
                              url, summary["hosts"] + summary["standby"],
                              summary["standby"], summary["servers"],
                              "; no network service (%s)" % args.no_network
                              if args.no_network else ""))
            return self._with_vmotiond(clouds, port, not server.noauth)
        finally:
            server.stop()

    def _with_vmotiond(self, clouds: str, port: int, catalog: bool) -> int:
        conf_file = _write_config(self.args.state_dir, clouds, port)
        conf = config.load(["--config-file", conf_file])
        self.db = db_api.Database(conf, clock=self.clock)
        self.db.sync()
        self.cloud = cloud_openstack.OpenStackCloud.from_config(
            conf, clock=self.clock)
        transport = messaging.notification_transport(conf)
        # fake:// carries messages within one transport object only: the
        # engine serves RPC on this one and the demo asks on it.
        rpc_transport = messaging.rpc_transport(conf)
        self.engine = engine_client.EngineClient(conf, rpc_transport)
        parts = all_in_one.parts(conf, self.clock, transport,
                                 probe=probe_mod.CallableProbe(
                                     self.sim.probe),
                                 rpc_transport=rpc_transport)
        launcher = service.Launcher(conf, parts,
                                    stop_timeout=conf.shutdown_timeout)
        thread = threading.Thread(target=launcher.run, name="vmotiond")
        thread.start()
        self.out.line("vmotiond running (log: %s/vmotiond.log); REST API "
                      "on http://127.0.0.1:%d" % (self.args.state_dir, port))
        try:
            return self._scenario(port, clouds if catalog else None)
        finally:
            launcher.request_stop()
            thread.join()

    def _scenario(self, port: int, clouds: str | None) -> int:
        if not report.wait_for(lambda: len(self.db.host_list()) > 0,
                               30.0, self.clock, self.stopped):
            self.out.line("error: the inventory was never synced")
            return 1
        for name in self._sim_standby_hosts():
            self.engine.call("host_set", host=name,
                             role=constants.ROLE_STANDBY)
            self.out.line("operator: vmotiond-manage host set %s --role "
                          "standby" % name)
        hosts = self.db.host_list()
        self.out.hosts_table(hosts)
        standby = [h.name for h in hosts if h.role == constants.ROLE_STANDBY]
        victim = self._busiest_host()
        before = {s.id: s for s in self.cloud.list_servers(host=victim)}
        follower = report.Follower(self.db, self.out, victim, self.clock,
                                   self.sim.host_view)
        self.out.mark()
        self.out.line("killing %s: %d instances (%s); the times count "
                      "from this kill on" % (
                          victim, len(before),
                          report.count_states(before.values())))
        self.sim.kill_host(victim)
        uuid = follower.follow(constants.COMPUTE_HOST, self.stopped,
                               DETECTION_DEADLINE, RECOVERY_DEADLINE)
        if uuid is None:
            return 1
        after = {s.id: s for s in self.cloud.list_servers()
                 if s.id in before}
        moves = self.db.vmove_list(notification_uuid=uuid,
                                   sort_dir="asc")
        self.out.moves_table(moves, before, after)
        problems = report.check_recovery(victim, before, after)
        problems += self._move_back(victim, before, follower)
        for problem in problems:
            self.out.line("PROBLEM: %s" % problem)
        self.out.roles_now(standby, self.db.host_list())
        self.out.api_examples(port, uuid, clouds,
                              self.db.notification_get(uuid).source_host_uuid)
        code = 1 if problems else 0
        self.verdict(code)
        if self.args.keep_running:
            try:
                # Said within the try: a Ctrl-C right after it is caught.
                self.out.line("vmotiond keeps running; Ctrl-C stops it")
                while not self.stopped.wait(3600):
                    pass
            except KeyboardInterrupt:
                pass
        return code

    def _move_back(self, victim: str,
                   before: dict[str, records.Server],
                   follower: report.Follower) -> list[str]:
        """Revive ``victim``, wait until it is trusted, move back."""
        self.out.line("reviving %s (nova-compute comes back, still fenced)"
                      % victim)
        follower.forget_notifications()
        self.sim.revive_host(victim)
        if not report.wait_for(
                lambda: follower.monitor_state() == constants.HOST_RECOVERED,
                RECOVERY_DEADLINE, self.clock, self.stopped):
            return ["%s never came back as recovered" % victim]
        self.out.line("operator: vmotiond-manage host move-back %s" % victim)
        self.engine.call("host_move_back", host=victim)
        uuid = follower.follow(constants.MOVE_BACK, self.stopped,
                               DETECTION_DEADLINE, RECOVERY_DEADLINE)
        if uuid is None:
            return ["the move back of %s did not end" % victim]
        back = {s.id: s for s in self.cloud.list_servers() if s.id in before}
        self.out.moves_table(self.db.vmove_list(notification_uuid=uuid,
                                                sort_dir="asc"),
                             before, back)
        return report.check_move_back(victim, before, back)

    def _sim_standby_hosts(self) -> list[str]:
        return [h.name for h in self.db.host_list()
                if self.sim.host_view(h.name)["role"]
                == constants.ROLE_STANDBY]

    def _busiest_host(self) -> str:
        normal = [h for h in self.db.host_list()
                  if h.role == constants.ROLE_NORMAL]
        counts = {h.name: 0 for h in normal}
        for server in self.cloud.list_servers():
            if server.host in counts:
                counts[server.host] += 1
        return max(sorted(counts), key=lambda name: counts[name])


def main(argv: list[str] | None = None) -> int:
    demo = Demo(_parser().parse_args(argv))
    code = demo.run()
    demo.verdict(code)
    return code

