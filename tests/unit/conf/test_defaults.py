"""The options dataclasses take their defaults from the option definitions."""

import dataclasses
import importlib.util
from typing import Any
from unittest import mock

from oslo_config import cfg
import testtools

from vmotiond import conf as vmotiond_conf
from vmotiond.conf import defaults
from vmotiond.engine import intake
from vmotiond.engine.deciding import records
from vmotiond.engine.running import runner
from vmotiond.engine.running.steps import base
from vmotiond.monitor import thresholds

# Every dataclass that mirrors options, with its ``from_conf``.
MIRRORS = (thresholds.Thresholds, base.StepOptions, records.PlanOptions,
           runner.RetryOptions, intake.Checks)


def _conf() -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    vmotiond_conf.register_opts(conf)
    conf([], project="vmotiond", default_config_files=[])
    return conf


def _fresh(module_name: str) -> Any:
    """A new copy of a module, run again (``sys.modules`` untouched)."""
    spec = importlib.util.find_spec(module_name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class DefaultsTest(testtools.TestCase):

    def test_every_field_default_equals_its_option(self) -> None:
        conf = _conf()
        for cls in MIRRORS:
            built, bare = cls.from_conf(conf), cls()
            for field in dataclasses.fields(cls):
                self.assertEqual(
                    getattr(built, field.name), getattr(bare, field.name),
                    "%s.%s differs from its option's default"
                    % (cls.__name__, field.name))

    def test_a_changed_option_default_changes_the_dataclass(self) -> None:
        # The field defaults are read from the options, not written twice.
        cases = (("vmotiond.monitor.thresholds", "Thresholds", "monitor",
                  "down_grace", "down_grace", 42.0),
                 ("vmotiond.engine.running.steps.base", "StepOptions",
                  "engine", "move_timeout", "move_timeout", 42.0),
                 ("vmotiond.engine.deciding.records", "PlanOptions", "engine",
                  "floating_ip_steps", "floating_ips", False),
                 ("vmotiond.engine.running.runner", "RetryOptions", "engine",
                  "step_retries", "retries", 42))
        for module_name, cls_name, group, option, field, value in cases:
            opt = defaults.find(group, option)
            with mock.patch.object(opt, "default", value):
                cls = getattr(_fresh(module_name), cls_name)
            self.assertEqual(value, getattr(cls(), field),
                             "%s.%s" % (cls_name, field))

    def test_from_conf_reads_every_field_from_its_option(self) -> None:
        conf = _conf()
        for group, option, value in (("monitor", "down_grace", 42.0),
                                     ("monitor", "probe_driver", "none"),
                                     ("engine", "move_timeout", 42.0),
                                     ("engine", "floating_ip_steps", False),
                                     ("engine", "step_retries", 7)):
            conf.set_override(option, value, group)
        th = thresholds.Thresholds.from_conf(conf)
        self.assertEqual((42.0, False), (th.down_grace, th.probe_enabled))
        self.assertEqual(42.0, base.StepOptions.from_conf(conf).move_timeout)
        self.assertFalse(records.PlanOptions.from_conf(conf).floating_ips)
        self.assertEqual(7, runner.RetryOptions.from_conf(conf).retries)

    def test_every_mirror_field_names_an_option(self) -> None:
        for cls in (thresholds.Thresholds, base.StepOptions,
                    records.PlanOptions, runner.RetryOptions):
            for field in dataclasses.fields(cls):
                source = field.metadata[defaults.SOURCE]
                self.assertIsInstance(
                    defaults.find(source.group, source.name), cfg.Opt,
                    "%s.%s" % (cls.__name__, field.name))

    def test_probe_enabled_follows_the_probe_driver(self) -> None:
        opt = defaults.find("monitor", "probe_driver")
        with mock.patch.object(opt, "default", "none"):
            module = _fresh("vmotiond.monitor.thresholds")
        self.assertFalse(module.Thresholds().probe_enabled)

    def test_default_of_an_option(self) -> None:
        self.assertEqual(9.0, defaults.default("monitor", "down_grace",
                                               float))
        self.assertEqual(3, defaults.default("engine", "step_retries", int))

    def test_unknown_option_is_an_error(self) -> None:
        exc = self.assertRaises(LookupError, defaults.default, "engine",
                                "no_such_option", int)
        self.assertEqual("no option [engine] no_such_option", str(exc))

    def test_wrong_type_is_an_error(self) -> None:
        exc = self.assertRaises(TypeError, defaults.default, "engine",
                                "step_retries", float)
        self.assertEqual("[engine] step_retries defaults to 3, not a float",
                         str(exc))
