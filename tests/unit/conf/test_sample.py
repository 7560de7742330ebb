"""The committed sample configuration is what the generator writes now."""

import os

import fixtures
from oslo_config import generator
import testtools

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
GENERATOR_CONF = os.path.join(TOP, "etc", "vmotiond",
                              "vmotiond-config-generator.conf")
SAMPLE = os.path.join(TOP, "etc", "vmotiond", "vmotiond.conf.sample")


class SampleConfigTest(testtools.TestCase):

    def test_sample_is_current(self) -> None:
        out = os.path.join(self.useFixture(fixtures.TempDir()).path, "s")
        generator.main(["--config-file", GENERATOR_CONF,
                        "--output-file", out])
        with open(out) as fresh, open(SAMPLE) as committed:
            self.assertEqual(
                fresh.read(), committed.read(),
                "etc/vmotiond/vmotiond.conf.sample is stale: run "
                "'tox -e genconfig' and commit the result")

    def test_sample_names_vmotiond_groups_and_defaults(self) -> None:
        with open(SAMPLE) as committed:
            text = committed.read()
        for marker in ("[monitor]", "[engine]", "[cloud]", "[api]",
                       "[coordination]",
                       "#connection = sqlite:///$state_path/vmotiond.sqlite"):
            self.assertIn(marker, text)
