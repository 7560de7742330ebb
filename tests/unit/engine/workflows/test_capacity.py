"""The headroom check read from the cloud: the host aggregates read once,
and every host's loss planned as its recovery would plan it."""

import dataclasses
import logging

import fixtures

from tests.unit.engine import base
from tests.unit.engine import fakes
from vmotiond import exception
from vmotiond.cloud import records
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.workflows import capacity
from vmotiond.engine.workflows import recovery


def server(name, host, volume_backed=True, **kw):
    extra = kw.pop("extra_specs", {})
    project = kw.pop("project", "p1")
    image = kw.pop("image_id", None)
    return dataclasses.replace(
        fakes.server(name=name, host=host, **kw), volume_backed=volume_backed,
        flavor_extra_specs=extra, project_id=project, image_id=image)


class CapacityCheckTest(base.EngineTestCase):

    def setUp(self):
        super().setUp()
        self.add_hosts(standby=("sb1",), normal=("n1", "n2"),
                       memory_mb=4096)
        self.cloud.aggregates = [records.Aggregate(
            "1", "batch", ("failed",), {"HA_Enabled": "false"})]

    def check(self):
        return capacity.check(self.db, self.cloud,
                              PlanOptions.from_conf(self.conf))

    def test_aggregates_listed_once_and_honoured(self):
        for host in ("failed", "n1", "n2"):
            self.cloud.add_server(server("on-" + host, host,
                                         memory_mb=3072))
        found = self.check()
        self.assertEqual(1, self.cloud.count("list_aggregates"))
        self.assertEqual({"failed": 0, "n1": 1, "n2": 1, "sb1": 0},
                         {h.host: h.moved for h in found.losses})

    def test_nova_error_is_unknown_and_logged(self):
        self.cloud.add_server(server("a", "failed"))
        self.cloud.fail["list_aggregates"] = [exception.CloudUnavailable(
            service="compute", call="list aggregates", reason="503")]
        log = self.useFixture(fixtures.FakeLogger(
            name="vmotiond", level=logging.WARNING))
        found = self.check()
        self.assertEqual(1, {h.host: h.moved for h in found.losses}["failed"])
        self.assertIn("Host aggregates unknown while checking the failover "
                      "headroom", log.output)
        self.assertIn("503", log.output)

    def test_every_loss_as_its_recovery_plans_it(self):
        """Each protection layer (images too), service-owned instances
        (by an image tag too) and local_disk_policy=skip: the check moves
        and places exactly what ``host plan`` (a recovery's plan)
        would."""
        self.cloud.images = {
            "img-ha": records.Image("img-ha", "ha", {"HA_Enabled": "true"}),
            "img-amp": records.Image("img-amp", "amp", tags=("amphora",))}
        for name, value in (("ha_enabled_only", True),
                            ("service_projects", ["svc"]),
                            ("protected_name_patterns", ["db-.*"]),
                            ("local_disk_policy", "skip")):
            self.conf.set_override(name, value, "engine")
        self.cloud.aggregates.append(records.Aggregate(
            "2", "ha", ("n1",), {"HA_Enabled": "true"}))
        for host in ("failed", "n1", "n2"):
            for s in (
                    server("meta-" + host, host, memory_mb=1536,
                           metadata={"HA_Enabled": "true"}),
                    server("flavor-" + host, host, memory_mb=1024,
                           extra_specs={"HA_Enabled": "true"}),
                    server("db-" + host, host, memory_mb=512),
                    server("plain-" + host, host),
                    server("svc-" + host, host, project="svc",
                           metadata={"HA_Enabled": "true"}),
                    server("local-" + host, host, volume_backed=False,
                           metadata={"HA_Enabled": "true"}),
                    server("image-" + host, host, memory_mb=256,
                           image_id="img-ha"),
                    server("amp-" + host, host, image_id="img-amp",
                           metadata={"HA_Enabled": "true"}),
                    server("gone-" + host, host, image_id="img-gone")):
                self.cloud.add_server(s)
        self.cloud.add_server(server("huge", "n2", memory_mb=10 ** 6,
                                     metadata={"HA_Enabled": "true"}))
        options = PlanOptions.from_conf(self.conf)
        found = {h.host: h for h in self.check().losses}
        self.assertEqual(3, self.cloud.count("get_image"))   # once each
        for host in ("failed", "n1", "n2", "sb1"):
            plan = recovery.plan_host(self.db, self.cloud, options, host)
            loss = found[host]
            self.assertEqual(
                sorted((m.server.id, m.dest_host) for m in plan.moves),
                sorted(loss.placements), host)
            self.assertEqual(
                sorted((i.server.id, i.reason) for i in plan.unplaced),
                sorted((i.server.id, i.reason) for i in loss.unplaced), host)
        # The layers did decide: on n1 its aggregate protects the plain
        # instance; on failed its aggregate's false wins over the name
        # pattern, not over the metadata or the flavor; n2's huge one
        # finds no room.
        # The image's true protects under ha_enabled_only, over failed's
        # aggregate false too (an image comes first); its amphora tag
        # leaves the amphora behind; a deleted image says nothing (on n1
        # the aggregate protects it).
        self.assertEqual({"failed": 3, "n1": 6, "n2": 5, "sb1": 0},
                         {h: loss.moved for h, loss in found.items()})
        self.assertEqual(("n2",), self.check().unabsorbable)
