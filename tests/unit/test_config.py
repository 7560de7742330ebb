"""Loading the configuration: clear errors for bad files and values."""

import os

import fixtures
from oslo_config import cfg
import testtools

from vmotiond import config
from vmotiond import exception


class LoadTest(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def _file(self, text: str) -> str:
        path = os.path.join(self.dir, "vmotiond.conf")
        with open(path, "w") as f:
            f.write(text)
        return path

    def _load(self, *argv: str) -> cfg.ConfigOpts:
        return config.load(list(argv), cfg.ConfigOpts(),
                           setup_logging=False)

    def test_good_file_is_read(self) -> None:
        conf = self._load("--config-file",
                          self._file("[engine]\nworkers = 3\n"))
        self.assertEqual(3, conf.engine.workers)

    def test_missing_file_names_it(self) -> None:
        error = self.assertRaises(exception.ConfigError, self._load,
                                  "--config-file", "/nonexistent/x.conf")
        self.assertIn("/nonexistent/x.conf", str(error))

    def test_malformed_file_names_file_and_line(self) -> None:
        path = self._file("garbage\n")
        error = self.assertRaises(exception.ConfigError, self._load,
                                  "--config-file", path)
        self.assertIn(path, str(error))
        self.assertIn("garbage", str(error))

    def test_bad_value_names_group_option_and_file(self) -> None:
        path = self._file("[api]\nauth_strategy = bogus\n")
        error = self.assertRaises(exception.ConfigError, self._load,
                                  "--config-file", path)
        self.assertIn("[api] auth_strategy in %s" % path, str(error))
        self.assertIn("bogus", str(error))

    def test_out_of_range_value_is_refused(self) -> None:
        path = self._file("[engine]\nworkers = 0\n")
        error = self.assertRaises(exception.ConfigError, self._load,
                                  "--config-file", path)
        self.assertIn("[engine] workers", str(error))
