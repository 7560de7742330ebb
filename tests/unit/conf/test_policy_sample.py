"""The committed policy sample is what the generator writes now."""

import os
import subprocess
import sys

import fixtures
import testtools

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SAMPLE = os.path.join(TOP, "etc", "vmotiond", "policy.yaml.sample")
GENERATOR = os.path.join(os.path.dirname(sys.executable),
                         "oslopolicy-sample-generator")


class PolicySampleTest(testtools.TestCase):

    def test_sample_is_current(self) -> None:
        # A process of its own, as 'tox -e genpolicy' runs it: the
        # generator reads the global config, which other tests touch.
        out = os.path.join(self.useFixture(fixtures.TempDir()).path, "p")
        subprocess.run([GENERATOR, "--namespace", "vmotiond",
                        "--output-file", out], check=True,
                       capture_output=True, timeout=120)
        with open(out) as fresh, open(SAMPLE) as committed:
            text = committed.read()
            self.assertEqual(fresh.read(), text,
                             "etc/vmotiond/policy.yaml.sample is stale: run "
                             "'tox -e genpolicy' and commit the result")
        self.assertIn("vmotiond:", text)
