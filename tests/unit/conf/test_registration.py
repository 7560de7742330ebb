"""Each ConfigOpts gets its own options: overrides never leak between them."""

from oslo_config import cfg
import testtools

from vmotiond import conf as vmotiond_conf


class RegistrationTest(testtools.TestCase):

    def _conf(self) -> cfg.ConfigOpts:
        conf = cfg.ConfigOpts()
        vmotiond_conf.register_opts(conf)
        conf([], project="vmotiond", default_config_files=[])
        return conf

    def test_overrides_stay_in_their_config(self) -> None:
        for group in ("cloud", "monitor", "engine", "api", "coordination"):
            reference, first, second = (self._conf(), self._conf(),
                                        self._conf())
            for name in reference[group]:
                default = reference[group][name]
                first.set_override(name, None if default is not None else 1,
                                   group)
                # Read only now: a value read earlier would be cached.
                self.assertEqual(default, second[group][name],
                                 "[%s] %s leaked" % (group, name))
