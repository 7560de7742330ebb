"""The shipped default of an option, for the dataclasses that mirror options.

``Thresholds``, ``StepOptions``, ``PlanOptions`` and ``RetryOptions`` take
their field defaults from here, so a default is written once: in the
option's definition (``_DEFAULT = defaults.Group("engine")``, then
``retries: int = _DEFAULT("step_retries", int)``). ``intake.Checks`` keeps
its own and a test holds it to the options.
"""

from typing import TypeVar

from oslo_config import cfg

from vmotiond.conf import opts as conf_opts

T = TypeVar("T")


def find(group: str, name: str) -> cfg.Opt:
    """The definition of option ``[group] name``; LookupError if none."""
    for opt_group, opts in conf_opts.list_opts():
        group_name = (opt_group.name if isinstance(opt_group, cfg.OptGroup)
                      else opt_group or "DEFAULT")
        if group_name != group:
            continue
        for opt in opts:
            if opt.name == name:
                return opt
    raise LookupError("no option [%s] %s" % (group, name))


def default(group: str, name: str, kind: type[T]) -> T:
    """The default of ``[group] name``; TypeError if it is not a ``kind``."""
    value = find(group, name).default
    if not isinstance(value, kind):
        raise TypeError("[%s] %s defaults to %r, not a %s"
                        % (group, name, value, kind.__name__))
    return value


class Group:
    """The defaults of one option group."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, name: str, kind: type[T]) -> T:
        return default(self.name, name, kind)
