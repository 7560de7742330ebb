"""The committed policy sample is what the generator writes now."""

import os

import fixtures
from oslo_policy import generator
import testtools

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SAMPLE = os.path.join(TOP, "etc", "vmotiond", "policy.yaml.sample")


class PolicySampleTest(testtools.TestCase):

    def test_sample_is_current(self) -> None:
        out = os.path.join(self.useFixture(fixtures.TempDir()).path, "p")
        generator.generate_sample(args=["--namespace", "vmotiond",
                                        "--output-file", out])
        with open(out) as fresh, open(SAMPLE) as committed:
            text = committed.read()
            self.assertEqual(fresh.read(), text,
                             "etc/vmotiond/policy.yaml.sample is stale: run "
                             "'tox -e genpolicy' and commit the result")
        self.assertIn("vmotiond:", text)
