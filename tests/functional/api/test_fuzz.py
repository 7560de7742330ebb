"""schemathesis fuzzes the API from its OpenAPI document: no 5xx, ever.

The API runs behind keystonemiddleware (the simulator's Keystone) over
MariaDB; schemathesis sends an admin's token and the latest microversion
and checks every response against the document. Bounded to ~45 s. No
engine acts here: the operator's actions reach one that refuses every
request (409), so their bodies are fuzzed, not the cloud; its reads of
instances and of the failover headroom answer a cloud without any.
"""

import os
import shutil
import subprocess
import sys

import fixtures

from tests.fixtures import sim as sim_fixture
from tests.functional.api import base
from vmotiond.sim import builder

MAX_TIME = 45


class TestFuzz(base.ApiServerTestCase):

    def test_schemathesis_finds_nothing(self) -> None:
        sim = self.useFixture(sim_fixture.SimFixture(
            builder.Scenario(hosts=1, standby=0, servers=0)))
        url = self.start_api("keystone", sim.auth_url,
                             engine=base.RefusingEngine())
        conn = sim.connect("admin")
        self.addCleanup(conn.close)
        token = conn.session.get_token()
        st = shutil.which("st", path=os.path.dirname(sys.executable))
        self.assertIsNotNone(st, "schemathesis is not installed")
        result = subprocess.run(
            [st, "run", url + "/openapi.json", "--url", url,
             "-H", "X-Auth-Token: %s" % token,
             "-H", "OpenStack-API-Version: instance-ha latest",
             # A marker must name an existing row: a schema-valid one
             # may still be refused (400, as Masakari does).
             "--checks", "all",
             "--exclude-checks", "positive_data_acceptance",
             "--max-examples", "25",
             "--max-time", str(MAX_TIME), "--seed", "20260101",
             "--warnings", "off", "--output-truncate", "false"],
            capture_output=True, text=True, timeout=MAX_TIME + 60,
            check=False, cwd=self.useFixture(fixtures.TempDir()).path)
        report = result.stdout[-6000:] + result.stderr[-2000:]
        self.assertNotIn("Server error", report, report)
        self.assertEqual(0, result.returncode, report)
