"""Registering one of vmotiond's option groups on a ``ConfigOpts``."""

from collections.abc import Sequence

from oslo_config import cfg


def register(conf: cfg.ConfigOpts, group: cfg.OptGroup,
             opts: Sequence[cfg.Opt]) -> None:
    """Register ``opts`` on ``conf`` under a copy of ``group``.

    oslo.config keeps overrides in the group object and copies a registered
    group shallowly, so a group shared between ConfigOpts objects would
    share their overrides.
    """
    conf.register_group(cfg.OptGroup(group.name, title=group.title,
                                     help=group.help))
    conf.register_opts(opts, group=group.name)
