"""The [database] group: oslo.db's options with vmotiond's defaults."""

from oslo_config import cfg
from oslo_db import options as db_options

DEFAULT_CONNECTION = "sqlite:///$state_path/vmotiond.sqlite"


def register_opts(conf: cfg.ConfigOpts) -> None:
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION)


def list_opts() -> dict[str, list[cfg.Opt]]:
    # oslo.db's own namespace lists the options; only the default is ours.
    return {}
