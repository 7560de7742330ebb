"""Dataclasses whose fields mirror options: a default written once.

A ``Mirror`` declares only its fields, each naming its option::

    _OPTION = defaults.Group("engine")

    @dataclasses.dataclass(frozen=True)
    class StepOptions(defaults.Mirror):
        move_timeout: float = _OPTION("move_timeout", float)

The field's default is the option's default, read from its definition, and
``StepOptions.from_conf(conf)`` reads every field from its option in
``conf``. ``Group.derived`` declares a field computed from an option (a
flag that an option is not ``"none"``). ``intake.Checks`` keeps its own
defaults and a test holds it to the options.
"""

from collections.abc import Callable
import dataclasses
from typing import Any
from typing import ClassVar
from typing import TypeVar

from oslo_config import cfg

from vmotiond.conf import opts as conf_opts

T = TypeVar("T")
S = TypeVar("S")
M = TypeVar("M", bound="Mirror")

# Key of a mirroring field's metadata: its ``Source``.
SOURCE = "vmotiond.option"


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


def _same(value: T) -> T:
    return value


@dataclasses.dataclass(frozen=True)
class Source:
    """The option a field mirrors, and how the field's value follows."""

    group: str
    name: str
    convert: Callable[[Any], Any]

    def read(self, conf: cfg.ConfigOpts) -> Any:
        """The field's value under ``conf``."""
        return self.convert(getattr(getattr(conf, self.group), self.name))


class Group:
    """Declares the fields that mirror the options of one group."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, name: str, kind: type[T]) -> T:
        """A field holding option ``name``, whose default is a ``kind``."""
        return self.derived(name, kind, _same)

    def derived(self, name: str, kind: type[S],
                convert: Callable[[S], T]) -> T:
        """A field holding ``convert`` of option ``name`` (a ``kind``)."""
        return dataclasses.field(
            default=convert(default(self.name, name, kind)),
            metadata={SOURCE: Source(self.name, name, convert)})


class Mirror:
    """Base of a dataclass whose fields are declared with ``Group``."""

    __dataclass_fields__: ClassVar[dict[str, "dataclasses.Field[Any]"]]

    @classmethod
    def from_conf(cls: type[M], conf: cfg.ConfigOpts) -> M:
        """Build from ``conf``: every field from its option."""
        build: Callable[..., M] = cls
        return build(**{field.name: field.metadata[SOURCE].read(conf)
                        for field in dataclasses.fields(cls)})
