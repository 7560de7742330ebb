"""Client-level scenarios run through ``vmotiond.cloud`` against a target.

Written once; a test module mixes ``Scenarios`` into a test case whose
``setUp`` sets ``self.target`` (a ``tests.conformance.target.Target``).
The expectations are what Nova 34.0.0 does (status codes and messages
included); a target that answers otherwise disagrees with Nova.
"""

import datetime
import re
from typing import Any

from oslo_config import cfg

from tests.conformance import target as target_mod
from vmotiond import constants as c
from vmotiond import exception
from vmotiond.cloud import inventory
from vmotiond.cloud import openstack
from vmotiond.cloud import records
from vmotiond.conf import cloud as cloud_conf
from vmotiond.monitor import records as m_records
from vmotiond.monitor import state as m_state
from vmotiond.monitor.thresholds import Thresholds

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                  r"[0-9a-f]{12}$")
NO_SUCH_ID = "00000000-0000-0000-0000-000000000000"
MOVE_TIMEOUT = 30.0


def make_conf(**overrides: Any) -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    cloud_conf.register_opts(conf)
    conf([], project="vmotiond", default_config_files=[])
    conf.set_override("api_retries", 0, group="cloud")
    for name, value in overrides.items():
        conf.set_override(name, value, group="cloud")
    return conf


def make_cloud(target: target_mod.Target,
               **overrides: Any) -> openstack.OpenStackCloud:
    return openstack.OpenStackCloud(target.connection(),
                                    make_conf(**overrides))


class Scenarios:
    """The scenarios; mix into a ``testtools.TestCase`` subclass."""

    target: target_mod.Target

    # Helpers.

    @property
    def cloud(self) -> openstack.OpenStackCloud:
        cloud = self.__dict__.get("_cloud")
        if cloud is None:
            cloud = self.__dict__["_cloud"] = make_cloud(self.target)
        return cloud

    def service(self, host: str) -> records.ComputeService:
        found = [s for s in self.cloud.list_compute_services()
                 if s.host == host]
        self.assertEqual(1, len(found), "services of %s" % host)
        return found[0]

    def wait_service(self, host: str, what: str, timeout: float,
                     **fields: Any) -> records.ComputeService:
        def check() -> records.ComputeService | None:
            svc = self.service(host)
            ok = all(getattr(svc, k) == v for k, v in fields.items())
            return svc if ok else None
        return self.target.wait_for(check, timeout, what)

    def wait_server(self, server_id: str, what: str,
                    timeout: float = MOVE_TIMEOUT,
                    **fields: Any) -> records.Server:
        def check() -> records.Server | None:
            srv = self.cloud.get_server(server_id)
            ok = all(getattr(srv, k) == v for k, v in fields.items())
            return srv if ok else None
        return self.target.wait_for(check, timeout, what)

    def wait_migration(self, server_id: str, migration_type: str,
                       status: str) -> records.Migration:
        def check() -> records.Migration | None:
            migs = self.cloud.list_migrations(server_id, migration_type)
            return migs[0] if migs and migs[0].status == status else None
        return self.target.wait_for(
            check, MOVE_TIMEOUT,
            "%s of %s to be %s" % (migration_type, server_id, status))

    def kill_and_fence(self, host: str) -> records.ComputeService:
        """Kill ``host`` and force its service down, as fencing does."""
        self.target.kill(host)
        svc = self.service(host)
        self.cloud.force_down_service(svc.id, host)
        return svc

    def assertRaisesCloud(self, error: type, status: int, message: str,
                          call: Any, *args: Any, **kwargs: Any
                          ) -> exception.CloudError:
        """``call`` raises ``error`` with this status and a message
        matching the regular expression ``message``."""
        raised = self.assertRaises(error, call, *args, **kwargs)
        self.assertEqual(status, raised.status)
        self.assertIsNotNone(re.search(message, raised.kwargs["reason"]),
                             "%r does not match %r"
                             % (raised.kwargs["reason"], message))
        return raised

    # Services and capacity.

    def test_services_listed(self) -> None:
        services = {s.host: s for s in self.cloud.list_compute_services()}
        for host in self.target.hosts:
            svc = services[host]
            self.assertRegex(svc.id, UUID)
            self.assertEqual(("up", "enabled", False, None),
                             (svc.state, svc.status, svc.forced_down,
                              svc.disabled_reason))
            self.assertEqual(self.target.zone, svc.zone)
            self.assertIsNotNone(svc.updated_at)

    # Host aggregates: vmotiond reads them; the test writes them raw.

    def nova_call(self, method: str, path: str, body: Any = None
                  ) -> tuple[int, Any]:
        """An admin compute call at 2.41: its status and JSON (or the
        error's message)."""
        conn = self.__dict__.get("_raw")
        if conn is None:
            conn = self.__dict__["_raw"] = self.target.connection()
        reply = conn.compute.request(path, method, json=body,
                                     microversion="2.41", raise_exc=False)
        data = reply.json() if reply.content else None
        if reply.status_code >= 400 and isinstance(data, dict):
            data = next(iter(data.values()))["message"]
        return reply.status_code, data

    def test_aggregates_read_as_nova_serves_them(self) -> None:
        host = self.target.hosts[0]
        status, _body = self.nova_call("POST", "/os-aggregates", {
            "aggregate": {"name": " rack-a "}})
        self.assertEqual(400, status)          # no spaces around a name
        status, body = self.nova_call("POST", "/os-aggregates", {
            "aggregate": {"name": "rack-a", "availability_zone": "zone-a"}})
        self.assertEqual(200, status)
        agg = body["aggregate"]
        self.assertEqual({"availability_zone", "created_at", "deleted",
                          "deleted_at", "id", "name", "updated_at", "uuid"},
                         set(agg))
        self.assertEqual(("rack-a", "zone-a", False, None),
                         (agg["name"], agg["availability_zone"],
                          agg["deleted"], agg["updated_at"]))
        self.assertRegex(agg["uuid"], UUID)
        path = "/os-aggregates/%d" % agg["id"]
        self.assertEqual(
            (409, "Aggregate rack-a already exists."),
            self.nova_call("POST", "/os-aggregates",
                           {"aggregate": {"name": "rack-a"}}))
        self.assertEqual(
            (404, "Compute host nohost could not be found."),
            self.nova_call("POST", path + "/action",
                           {"add_host": {"host": "nohost"}}))
        status, body = self.nova_call("POST", path + "/action",
                                      {"add_host": {"host": host}})
        self.assertEqual((200, [host]), (status, body["aggregate"]["hosts"]))
        self.assertEqual(
            (409, "Aggregate %d already has host %s." % (agg["id"], host)),
            self.nova_call("POST", path + "/action",
                           {"add_host": {"host": host}}))
        status, body = self.nova_call("POST", path + "/action", {
            "set_metadata": {"metadata": {"rack": "a", "gone": None}}})
        self.assertEqual(200, status)
        self.assertIsNotNone(body["aggregate"]["updated_at"])
        found = [a for a in self.cloud.list_aggregates()
                 if a.name == "rack-a"]
        self.assertEqual([records.Aggregate(
            id=str(agg["id"]), name="rack-a", hosts=(host,),
            metadata={"availability_zone": "zone-a", "rack": "a"},
            availability_zone="zone-a")], found)
        self.assertEqual("zone-a", self.service(host).zone)
        self.assertEqual(
            (400, "Cannot remove host from aggregate %d. Reason: Host "
             "aggregate is not empty." % agg["id"]),
            self.nova_call("DELETE", path))
        self.assertEqual(
            (404, "Cannot remove host %s in aggregate %d"
             % (self.target.hosts[1], agg["id"])),
            self.nova_call("POST", path + "/action", {
                "remove_host": {"host": self.target.hosts[1]}}))
        status, body = self.nova_call("POST", path + "/action",
                                      {"remove_host": {"host": host}})
        self.assertEqual((200, []), (status, body["aggregate"]["hosts"]))
        self.assertEqual(self.target.zone, self.service(host).zone)
        self.assertEqual((200, None), self.nova_call("DELETE", path))
        self.assertEqual(
            (404, "Aggregate %d could not be found." % agg["id"]),
            self.nova_call("GET", path))
        self.assertEqual([], [a for a in self.cloud.list_aggregates()
                              if a.name == "rack-a"])

    def test_servers_listed_page_by_page(self) -> None:
        """Newest first, ``limit`` a page, a marker while more follow;
        each server with its flavor's name and its addresses, as a GET of
        the server shows them. Nova keeps ``created`` to the second and
        orders servers created in the same second in no promised way."""
        booted = [self.target.boot(self.target.hosts[0], name="page-%d" % i)
                  for i in range(3)]
        seen: list[str] = []
        marker: str | None = None
        pages = 0
        while True:
            page, marker = self.cloud.list_servers_page(2, marker)
            pages += 1
            self.assertLessEqual(len(page), 2)
            for listed in page:
                alone = self.cloud.get_server(listed.id)
                self.assertEqual((alone.flavor_name, alone.addresses),
                                 (listed.flavor_name, listed.addresses))
            seen.extend(s.id for s in page)
            if marker is None:
                break
            self.assertEqual(page[-1].id, marker)
        self.assertEqual(len(seen), len(set(seen)))
        compute = self.target.connection().compute
        created = [compute.get("/servers/%s" % i).json()["server"]["created"]
                   for i in seen if i in booted]
        self.assertEqual(len(booted), len(created))
        self.assertEqual(sorted(created, reverse=True), created)
        self.assertGreaterEqual(pages, 2)
        flavors = {self.cloud.get_server(i).flavor_name for i in booted}
        self.assertEqual(1, len(flavors))
        self.assertIsInstance(flavors.pop(), str)

    def test_capacity_follows_placement(self) -> None:
        host = self.target.hosts[0]
        before = {c.host: c for c in self.cloud.list_host_capacities()}
        self.assertTrue(set(self.target.hosts) <= set(before))
        for cap in before.values():
            self.assertRegex(cap.hypervisor_id, UUID)
            self.assertGreater(cap.vcpus_free, 0)
            self.assertGreater(cap.memory_mb_free, 0)
        server = self.cloud.get_server(self.target.boot(host))
        after = {c.host: c for c in self.cloud.list_host_capacities()}
        b, a = before[host], after[host]
        self.assertEqual(
            (b.vcpus_used + server.vcpus, b.memory_mb_used + server.memory_mb,
             b.disk_gb_used + server.disk_gb, b.running_vms + 1),
            (a.vcpus_used, a.memory_mb_used, a.disk_gb_used, a.running_vms))
        self.assertEqual(b.memory_mb_free - server.memory_mb,
                         a.memory_mb_free)
        # Both ways of reading Placement agree on what is free.
        exact = {c.host: c for c in make_cloud(
            self.target, capacity_source="exact").list_host_capacities()}
        for name, cap in after.items():
            self.assertEqual(
                (cap.vcpus_free, cap.memory_mb_free, cap.disk_gb_free),
                (exact[name].vcpus_free, exact[name].memory_mb_free,
                 exact[name].disk_gb_free), name)
            self.assertGreaterEqual(exact[name].cpu_allocation_ratio, 1.0)

    def test_instance_counts_from_the_servers_list(self) -> None:
        # The inventory's running / total instances: every server on the
        # host, ACTIVE ones running; the hypervisor's running_vms (up to
        # 2.87) counts them all, whatever their state.
        host = self.target.hosts[1]

        def counts() -> tuple[int, int, int]:
            total, running = inventory.instance_counts(
                self.cloud.list_servers()).get(host, (0, 0))
            return total, running, self.capacity(host).running_vms

        before = counts()
        self.target.boot(host)
        self.target.boot(host, state="stopped")
        self.target.boot(host, state="paused")
        self.assertEqual((before[0] + 3, before[1] + 1, before[2] + 3),
                         counts())

    def test_flavor_extra_specs_and_volume_backed(self) -> None:
        # Server details embed the flavor's extra specs (2.47, admin) and
        # say "image": "" for a server booted from a volume, whose root
        # disk Placement does not count on the host.
        host = self.target.hosts[0]
        specs = {"HA_Enabled": "false"}
        before = self.capacity(host)
        volume = self.cloud.get_server(
            self.target.boot_special(host, specs, volume_backed=True))
        middle = self.capacity(host)
        image = self.cloud.get_server(
            self.target.boot_special(host, {}, volume_backed=False))
        after = self.capacity(host)
        self.assertEqual((True, specs, 0),
                         (volume.volume_backed,
                          dict(volume.flavor_extra_specs), volume.disk_gb))
        self.assertEqual((False, {}, 5),
                         (image.volume_backed,
                          dict(image.flavor_extra_specs), image.disk_gb))
        # The image's id, which the engine asks the image service about;
        # none from a volume.
        self.assertIsNone(volume.image_id)
        self.assertRegex(image.image_id or "", UUID)
        self.assertEqual(
            (before.disk_gb_used, before.memory_mb_used + 512),
            (middle.disk_gb_used, middle.memory_mb_used))
        self.assertEqual(middle.disk_gb_used + 5, after.disk_gb_used)
        listed = {s.id: s for s in self.cloud.list_servers(host)}
        self.assertEqual(volume, listed[volume.id])
        self.assertEqual(image, listed[image.id])

    def capacity(self, host: str) -> records.HostCapacity:
        return next(c for c in self.cloud.list_host_capacities()
                    if c.host == host)

    def test_compute_node_uuid_is_a_stable_host_uuid(self) -> None:
        # The hypervisor's id (a UUID from 2.53 on) is the compute node's
        # UUID, the host's Placement resource provider's too, and not the
        # service's; a restart of nova-compute keeps both UUIDs. vmotiond
        # takes it as the host's uuid (hosts.uuid, source_host_uuid).
        def uuids() -> dict[str, tuple[str, str]]:
            nodes = {c.host: c.hypervisor_id
                     for c in self.cloud.list_host_capacities()}
            return {s.host: (nodes[s.host], s.id)
                    for s in self.cloud.list_compute_services()}
        before = uuids()
        self.assertTrue(set(self.target.hosts) <= set(before))
        conn = self.target.connection()
        listed = conn.placement.get("/resource_providers",
                                    microversion="1.14").json()
        providers = {p["name"]: p["uuid"]
                     for p in listed["resource_providers"]}
        for host in self.target.hosts:
            node, service = before[host]
            self.assertRegex(node, UUID)
            self.assertNotEqual(service, node)
            self.assertEqual(providers[host], node, host)
        self.assertEqual(len(before), len({n for n, _ in before.values()}))
        host = self.target.hosts[0]
        self.target.kill(host)
        self.target.revive(host)
        self.wait_service(host, "%s up again" % host,
                          self.target.service_down_time * 3 + 5, state="up")
        self.assertEqual(before, uuids())

    # Host failure and fencing.

    def test_killed_host_goes_down(self) -> None:
        host, other = self.target.hosts[0], self.target.hosts[1]
        server_id = self.target.boot(host)
        self.target.kill(host)
        down = self.wait_service(host, "%s down" % host,
                                 self.target.service_down_time * 3 + 5,
                                 state="down")
        self.assertEqual(("enabled", False), (down.status, down.forced_down))
        self.assertEqual("up", self.service(other).state)
        # Nova keeps the instances of a dead host as they were.
        server = self.cloud.get_server(server_id)
        self.assertEqual(("ACTIVE", "active", host),
                         (server.status, server.vm_state, server.host))
        self.assertEqual(down.updated_at, self.service(host).updated_at)
        self.target.revive(host)
        self.wait_service(host, "%s up again" % host,
                          self.target.service_down_time * 3 + 5, state="up")

    def test_force_down_and_disable(self) -> None:
        host = self.target.hosts[0]
        svc = self.kill_and_fence(host)
        fenced = self.service(host)
        self.assertEqual(("down", True), (fenced.state, fenced.forced_down))
        self.cloud.disable_service(svc.id, host, "vmotiond: host failed")
        disabled = self.service(host)
        self.assertEqual(("disabled", "vmotiond: host failed"),
                         (disabled.status, disabled.disabled_reason))
        # A recovered host stays forced down and disabled until cleared.
        self.target.revive(host)
        self.target.wait_for(
            lambda: self.service(host).updated_at != fenced.updated_at,
            self.target.service_down_time * 3 + 5, "a heartbeat")
        revived = self.service(host)
        self.assertEqual(("down", True, "disabled"),
                         (revived.state, revived.forced_down, revived.status))
        self.cloud.force_down_service(svc.id, host, forced_down=False)
        self.wait_service(host, "%s up" % host, 10, state="up",
                          forced_down=False)
        self.cloud.enable_service(svc.id, host)
        enabled = self.service(host)
        self.assertEqual(("enabled", None),
                         (enabled.status, enabled.disabled_reason))

    def test_acting_calls_name_their_request(self) -> None:
        # Nova answers every request with its id, as its logs name it.
        host = self.target.hosts[0]
        svc = self.service(host)
        server_id = self.target.boot(host)
        self.wait_server(server_id, "active", status="ACTIVE")
        ids = [self.cloud.disable_service(svc.id, host, "conformance"),
               self.cloud.enable_service(svc.id, host),
               self.cloud.stop_server(server_id)]
        for request_id in ids:
            self.assertIsNotNone(request_id)
            self.assertTrue(str(request_id).startswith("req-"), request_id)
            self.assertRegex(str(request_id)[4:], UUID)
        self.assertEqual(3, len(set(ids)))

    def pass_time(self) -> None:
        """Let a little time pass on the target's clock (a second at most
        on the simulator, a fraction of one on Nova)."""
        calls: list[int] = []
        self.target.wait_for(lambda: calls.append(1) or len(calls) > 2, 5,
                             "time to pass")

    def test_service_update_sets_updated_at(self) -> None:
        # Every write that changes a service record stamps updated_at,
        # heartbeat or not, through either API; a write that changes
        # nothing does not. Nova's state still follows heartbeats.
        host = self.target.hosts[0]
        svc = self.service(host)
        self.target.kill(host)
        dead = self.wait_service(host, "%s down" % host,
                                 self.target.service_down_time * 3 + 5,
                                 state="down")
        conn = self.target.connection()
        old_api = {"host": host, "binary": "nova-compute"}

        def force_down() -> None:
            self.cloud.force_down_service(svc.id, host)

        def disable() -> None:
            self.cloud.disable_service(svc.id, host, "vmotiond: test")

        def enable() -> None:
            self.cloud.enable_service(svc.id, host)

        updates = [
            ("force down (2.53)", force_down),
            ("force down again (2.53)", force_down),
            ("disable (2.53)", disable),
            ("disable again (2.53)", disable),
            ("enable (2.11)", lambda: conn.compute.put(
                "/os-services/enable", json=old_api, microversion="2.11")),
            ("disable-log-reason (2.11)", lambda: conn.compute.put(
                "/os-services/disable-log-reason", microversion="2.11",
                json=dict(old_api, disabled_reason="operator"))),
            ("force-down false (2.11)", lambda: conn.compute.put(
                "/os-services/force-down", microversion="2.11",
                json=dict(old_api, forced_down=False))),
            ("enable (2.53)", enable),
        ]
        before = dead
        for what, update in updates:
            self.pass_time()
            response = update()
            if response is not None:
                self.assertEqual(200, response.status_code, what)
            after = self.service(host)
            if "again" in what:
                self.assertEqual(before.updated_at, after.updated_at, what)
            else:
                self.assertGreater(after.updated_at, before.updated_at,
                                   what)
            self.assertEqual("down", after.state, what)
            self.pass_time()
            self.assertEqual(after.updated_at,
                             self.service(host).updated_at, what)
            before = after
        self.assertEqual(("enabled", False, None),
                         (before.status, before.forced_down,
                          before.disabled_reason))

    def test_monitor_takes_no_fence_for_a_heartbeat(self) -> None:
        # vmotiond's state machine on this target's answers: a soak
        # shorter than the heartbeat threshold and no probe, so that
        # nothing but the heartbeat test keeps the fenced dead host from
        # being declared recovered.
        host = self.target.hosts[0]
        th = Thresholds(heartbeat_threshold=2.5, lagging_threshold=2.0,
                        down_grace=1.0, down_observations=2,
                        probe_enabled=False, recovery_soak=1.0)
        run = _MonitorRun(self, th, host)
        self.target.wait_for(lambda: run.cycle() == c.HOST_UP
                             and len(run.states) > 3, 10, "a few polls")
        self.target.kill(host)
        self.target.wait_for(lambda: run.cycle() and run.kinds(
            m_records.HOST_DOWN), self.target.service_down_time * 3 + 5,
            "the monitor to declare %s down" % host)
        svc = self.service(host)
        self.cloud.force_down_service(svc.id, host)
        self.cloud.disable_service(svc.id, host, "vmotiond: host failed")
        after_fence = len(run.states)
        self.target.wait_for(lambda: run.cycle() and len(run.states) >
                             after_fence + 40, 30, "40 polls")
        states = run.states[after_fence:]
        self.assertNotIn(c.HOST_RECOVERING, states)
        self.assertNotIn(c.HOST_RECOVERED, states)
        self.assertEqual(c.HOST_FENCED, states[-1])
        self.assertEqual([], run.kinds(m_records.HOST_RECOVERED))
        # The heartbeats of a host that came back do count.
        self.target.revive(host)
        self.target.wait_for(lambda: run.cycle() and run.kinds(
            m_records.HOST_RECOVERED), self.target.service_down_time * 3 + 5,
            "the monitor to declare %s recovered" % host)
        self.assertEqual(1, len(run.kinds(m_records.HOST_DOWN)))

    def test_monitor_recovers_a_second_host_failing_later(self) -> None:
        # Two of three hosts fail one after the other: the first one,
        # declared down and fenced, no longer counts for the mass-failure
        # guard once the failure window is over.
        first, second = self.target.hosts[:2]
        th = Thresholds(heartbeat_threshold=2.5, lagging_threshold=2.0,
                        down_grace=1.0, down_observations=2,
                        probe_enabled=False, failure_window=3.0)
        run = _MonitorRun(self, th, first)
        timeout = self.target.service_down_time * 3 + 5
        self.target.wait_for(lambda: run.cycle() == c.HOST_UP
                             and len(run.states) > 3, 10, "a few polls")
        self.target.kill(first)
        self.target.wait_for(lambda: run.cycle() and run.kinds(
            m_records.HOST_DOWN), timeout, "%s down" % first)
        svc = self.service(first)
        self.cloud.force_down_service(svc.id, first)
        self.cloud.disable_service(svc.id, first, "vmotiond: host failed")
        fenced_at = self.target.now()
        self.target.wait_for(lambda: run.passed(th.failure_window + 2,
                                                fenced_at),
                             th.failure_window + 10, "the failure window")
        self.target.kill(second)
        self.target.wait_for(lambda: run.cycle() and run.kinds(
            m_records.HOST_DOWN, second), timeout, "%s down" % second)
        self.assertEqual([], [e for e in run.events
                              if e.kind == m_records.ALERT])

    # Evacuation.

    def _evacuate(self, microversion: str, target_host: str | None,
                  status: str, vm_state: str) -> None:
        source = self.target.hosts[0]
        server_id = self.target.boot(source)
        self.kill_and_fence(source)
        self.cloud.evacuate_server(server_id, target_host, microversion)
        server = self.wait_server(
            server_id, "evacuated %s" % status, status=status,
            task_state=None)
        migration = self.wait_migration(server_id, "evacuation", "done")
        # Nova saves the state before the host: wait for the host too.
        server = self.target.wait_for(
            lambda: (lambda s: s if s.host != source else None)(
                self.cloud.get_server(server_id)),
            MOVE_TIMEOUT, "the host to change")
        self.assertEqual((status, vm_state), (server.status, server.vm_state))
        if target_host:
            self.assertEqual(target_host, server.host)
        self.assertIn(server.host, self.target.hosts[1:])
        self.assertEqual((source, server.host),
                         (migration.source_compute, migration.dest_compute))

    def test_evacuate_2_94_keeps_active(self) -> None:
        self._evacuate("2.94", None, "ACTIVE", "active")

    def test_evacuate_2_95_lands_shutoff(self) -> None:
        self._evacuate("2.95", None, "SHUTOFF", "stopped")

    def test_evacuate_to_a_host(self) -> None:
        self._evacuate("2.94", self.target.hosts[2], "ACTIVE", "active")

    def test_failed_rebuild_leaves_the_server_on_its_host(self) -> None:
        # Nova sets the host only when the rebuild succeeded: a standby
        # host whose evacuations all failed received nothing (issue 15).
        source = self.target.hosts[0]
        server_id = self.target.boot(source)
        self.kill_and_fence(source)
        self.target.fail_evacuations()
        self.cloud.evacuate_server(server_id, self.target.hosts[2], "2.94")
        migration = self.wait_migration(server_id, "evacuation", "failed")
        server = self.wait_server(server_id, "ERROR", status="ERROR",
                                  task_state=None)
        self.assertEqual(source, server.host)
        self.assertEqual((source, self.target.hosts[2]),
                         (migration.source_compute, migration.dest_compute))
        self.assertEqual([], self.cloud.list_servers(self.target.hosts[2]))

    def test_evacuate_refused_while_source_up(self) -> None:
        host = self.target.hosts[0]
        server_id = self.target.boot(host)
        self.assertRaisesCloud(
            exception.CloudRefused, 400,
            r"^Compute service of %s is still in use\.$" % host,
            self.cloud.evacuate_server, server_id)

    # Cold and live migration, reset state.

    def test_cold_migrate_and_confirm(self) -> None:
        source, dest = self.target.hosts[0], self.target.hosts[1]
        server_id = self.target.boot(source)
        self.cloud.migrate_server(server_id, dest)
        server = self.wait_server(server_id, "VERIFY_RESIZE",
                                  status="VERIFY_RESIZE")
        self.assertEqual((dest, "resized", None),
                         (server.host, server.vm_state, server.task_state))
        self.wait_migration(server_id, "migration", "finished")
        self.cloud.confirm_resize(server_id)
        server = self.wait_server(server_id, "ACTIVE after confirm",
                                  status="ACTIVE")
        self.assertEqual(dest, server.host)
        migration = self.wait_migration(server_id, "migration", "confirmed")
        self.assertEqual((source, dest), (migration.source_compute,
                                          migration.dest_compute))

    def test_live_migrate(self) -> None:
        source, dest = self.target.hosts[0], self.target.hosts[1]
        server_id = self.target.boot(source)
        self.cloud.live_migrate_server(server_id, dest)
        migration = self.wait_migration(server_id, "live-migration",
                                        "completed")
        server = self.wait_server(server_id, "on %s" % dest, host=dest,
                                  status="ACTIVE", task_state=None)
        self.assertEqual("active", server.vm_state)
        self.assertEqual((source, dest), (migration.source_compute,
                                          migration.dest_compute))

    def test_live_migrate_scheduled(self) -> None:
        source = self.target.hosts[0]
        server_id = self.target.boot(source)
        self.cloud.live_migrate_server(server_id)
        self.wait_migration(server_id, "live-migration", "completed")
        server = self.wait_server(server_id, "ACTIVE", status="ACTIVE",
                                  task_state=None)
        self.assertIn(server.host, self.target.hosts[1:])

    def test_reset_state(self) -> None:
        server_id = self.target.boot(self.target.hosts[0])
        self.cloud.reset_server_state(server_id, "error")
        server = self.cloud.get_server(server_id)
        self.assertEqual(("ERROR", "error"), (server.status, server.vm_state))
        self.cloud.reset_server_state(server_id, "active")
        server = self.cloud.get_server(server_id)
        self.assertEqual(("ACTIVE", "active", None),
                         (server.status, server.vm_state, server.task_state))

    def test_changes_since(self) -> None:
        # The engine polls a notification's moves with one list call:
        # every server changed at or after a time Nova gave ("updated", to
        # the second), none that did not change since.
        host = self.target.hosts[0]
        moved, still = (self.target.boot(host, name=n)
                        for n in ("changes-a", "changes-b"))
        before = self.cloud.get_server(still)
        self.assertIsNotNone(before.updated)
        later = self.target.now() + datetime.timedelta(seconds=2)
        self.target.wait_for(lambda: self.target.now() >= later, 10,
                             "two seconds to pass")
        self.cloud.reset_server_state(moved, "error")
        changed = self.cloud.get_server(moved)
        assert changed.updated is not None and before.updated is not None
        self.assertGreater(changed.updated, before.updated)
        found = {s.id: s for s in
                 self.cloud.list_servers_changed(changed.updated)}
        self.assertIn(moved, found)
        self.assertNotIn(still, found)
        self.assertEqual("ERROR", found[moved].status)
        self.assertIn(still, {s.id for s in
                              self.cloud.list_servers_changed(before.updated)})
        self.assertRaisesCloud(
            exception.CloudRefused, 400,
            r"^Invalid input for query parameters changes-since\. "
            r"Value: bogus\.", self.cloud.list_servers_changed, "bogus")

    # Pause and suspend: what vmotiond restores after a move.

    def test_pause_suspend_resume(self) -> None:
        server_id = self.target.boot(self.target.hosts[0])
        self.cloud.pause_server(server_id)
        server = self.wait_server(server_id, "PAUSED", status="PAUSED",
                                  task_state=None)
        self.assertEqual("paused", server.vm_state)
        for call, action in ((self.cloud.pause_server, "pause"),
                             (self.cloud.suspend_server, "suspend"),
                             (self.cloud.resume_server, "resume")):
            self.assertRaisesCloud(
                exception.CloudConflict, 409,
                r"^Cannot '%s' instance %s while it is in vm_state paused$"
                % (action, server_id), call, server_id)
        other = self.target.boot(self.target.hosts[0], name="other")
        self.cloud.suspend_server(other)
        server = self.wait_server(other, "SUSPENDED", status="SUSPENDED",
                                  task_state=None)
        self.assertEqual("suspended", server.vm_state)
        self.cloud.resume_server(other)
        server = self.wait_server(other, "ACTIVE", status="ACTIVE",
                                  task_state=None)
        self.assertEqual("active", server.vm_state)

    def test_paused_and_suspended_put_back_after_evacuation(self) -> None:
        source = self.target.hosts[0]
        ids = {state: self.target.boot(source, name=state, state=state)
               for state in ("paused", "suspended")}
        self.kill_and_fence(source)
        for server_id in ids.values():
            # Nova evacuates neither as they are: reset to error first.
            self.cloud.reset_server_state(server_id, "error")
            self.cloud.evacuate_server(server_id, None, "2.94")
        for state, server_id in ids.items():
            server = self.target.wait_for(
                lambda sid=server_id: (lambda s: s if s.host != source and
                                       s.status == "ACTIVE" and
                                       s.task_state is None else None)(
                    self.cloud.get_server(sid)),
                MOVE_TIMEOUT, "%s evacuated and ACTIVE" % state)
            self.assertIn(server.host, self.target.hosts[1:])
            put_back = (self.cloud.pause_server if state == "paused"
                        else self.cloud.suspend_server)
            put_back(server_id)
            server = self.wait_server(server_id, state.upper(),
                                      status=state.upper(), task_state=None)
            self.assertEqual(state, server.vm_state)

    def test_live_migrate_paused_stays_paused(self) -> None:
        source, dest = self.target.hosts[0], self.target.hosts[1]
        server_id = self.target.boot(source, state="paused")
        self.cloud.live_migrate_server(server_id, dest)
        self.wait_migration(server_id, "live-migration", "completed")
        server = self.wait_server(server_id, "on %s" % dest, host=dest,
                                  task_state=None)
        self.assertEqual(("PAUSED", "paused"),
                         (server.status, server.vm_state))

    # A cloud without a network service.

    def test_no_network_service(self) -> None:
        """Network calls sent to Nova's URL (``auth_type: none``) end in
        one line that says the cloud has no network service; the adapter
        does not ask again, and Nova itself still answers."""
        server_id = self.target.boot(self.target.hosts[0])
        cloud = openstack.OpenStackCloud(
            self.target.connection_without_network(), make_conf())
        for call, args in ((cloud.list_ports, (server_id,)),
                           (cloud.list_floating_ips, (["p1"],)),
                           (cloud.associate_floating_ip, ("f1", "p1"))):
            error = self.assertRaises(exception.CloudServiceMissing, call,
                                      *args)
            message = str(error)
            self.assertIn("the cloud has no network service", message)
            self.assertNotIn("<", message)
            self.assertNotIn("\n", message)
        self.assertIsNotNone(cloud.network.missing)
        self.assertEqual(server_id, cloud.get_server(server_id).id)

    # Refusals.

    def test_not_found(self) -> None:
        cloud = self.cloud
        server_404 = r"^Instance %s could not be found\.$" % NO_SUCH_ID
        service_404 = r"^Service %s could not be found\.$" % NO_SUCH_ID
        for call, args, message in (
                (cloud.get_server, (NO_SUCH_ID,), server_404),
                (cloud.evacuate_server, (NO_SUCH_ID,), server_404),
                (cloud.migrate_server, (NO_SUCH_ID,), server_404),
                (cloud.live_migrate_server, (NO_SUCH_ID,), server_404),
                (cloud.reset_server_state, (NO_SUCH_ID, "error"),
                 server_404),
                (cloud.force_down_service, (NO_SUCH_ID, "x"), service_404),
                (cloud.disable_service, (NO_SUCH_ID, "x", "r"),
                 service_404)):
            self.assertRaisesCloud(exception.CloudNotFound, 404, message,
                                   call, *args)

    def test_refused_bad_input(self) -> None:
        server_id = self.target.boot(self.target.hosts[0])
        self.assertRaisesCloud(
            exception.CloudRefused, 400,
            r"^Invalid input for field/attribute state\. Value: bogus\. "
            r"'bogus' is not one of \['active', 'error'\]$",
            self.cloud.reset_server_state, server_id, "bogus")
        self.assertRaisesCloud(
            exception.CloudConflict, 409,
            r"^Cannot 'confirmResize' instance %s while it is in vm_state "
            r"active$" % server_id,
            self.cloud.confirm_resize, server_id)
        self.assertRaisesCloud(
            exception.CloudRefused, 400,
            r"^Compute host nohost could not be found\.$",
            self.cloud.migrate_server, server_id, "nohost")
        self.assertRaisesCloud(
            exception.CloudRefused, 400,
            r"^Compute host nohost could not be found\.$",
            self.cloud.live_migrate_server, server_id, "nohost")

    def test_refused_by_vm_state(self) -> None:
        hosts = self.target.hosts
        servers = {}
        for state in target_mod.STATES:
            servers[state] = self.target.boot(hosts[0], name=state,
                                              state=state)
        self.kill_and_fence(hosts[0])

        def refused(action: str, state: str, call: Any, *args: Any) -> None:
            server_id = servers[state]
            self.assertRaisesCloud(
                exception.CloudConflict, 409,
                r"^Cannot '%s' instance %s while it is in vm_state %s$"
                % (action, server_id, _VM_STATE[state]), call, server_id,
                *args)

        for state in ("rescued", "paused", "suspended"):
            refused("evacuate", state, self.cloud.evacuate_server)
        refused("evacuate", "shelved", self.cloud.evacuate_server, hosts[1])
        # An offloaded server has no host, and Nova compares it with the
        # target before it looks at the state.
        self.assertRaisesCloud(
            exception.CloudRefused, 400,
            r"^The target host can't be the same one\.$",
            self.cloud.evacuate_server, servers["shelved"])
        for state in ("rescued", "paused", "suspended", "shelved"):
            refused("migrate", state, self.cloud.migrate_server)
        for state in ("rescued", "suspended", "stopped", "shelved"):
            refused("os-migrateLive", state, self.cloud.live_migrate_server,
                    hosts[1])
        # A stopped server evacuates, and stays stopped.
        self.cloud.evacuate_server(servers["stopped"], hosts[1])
        self.wait_server(servers["stopped"], "stopped on %s" % hosts[1],
                         host=hosts[1], status="SHUTOFF", task_state=None)


_VM_STATE = {"rescued": "rescued", "paused": "paused",
             "suspended": "suspended", "shelved": "shelved_offloaded",
             "stopped": "stopped"}



class _MonitorRun:
    """vmotiond's monitor state machine polling a target, one host watched.
    """

    def __init__(self, test: Scenarios, th: Thresholds, host: str) -> None:
        self.test = test
        self.th = th
        self.host = host
        self.state = m_records.ClusterState()
        self.states: list[str] = []
        self.events: list[m_records.Event] = []

    def cycle(self) -> str:
        """Poll once; return the watched host's state."""
        services = self.test.cloud.list_compute_services()
        self.state, events = m_state.evaluate(
            services, {}, self.state, self.th, self.test.target.now())
        self.events.extend(events)
        self.states.append(self.state.hosts[self.host].state)
        return self.states[-1]

    def kinds(self, kind: str, host: str | None = None
              ) -> list[m_records.Event]:
        """Events of ``kind`` about ``host`` (the watched one if None)."""
        host = host or self.host
        return [e for e in self.events if e.kind == kind and e.host == host]

    def passed(self, seconds: float, since: Any) -> bool:
        """Poll once; whether ``seconds`` passed on the target's clock."""
        self.cycle()
        return (self.test.target.now() - since).total_seconds() > seconds
