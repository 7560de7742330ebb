"""Entry point for oslo-config-generator (namespace ``vmotiond``)."""

from oslo_config import cfg
from oslo_db import options as db_options

from vmotiond import conf
from vmotiond.conf import database
from vmotiond.conf import messaging


def list_opts() -> list[tuple[str | cfg.OptGroup | None, list[cfg.Opt]]]:
    """Return (group, options) pairs for every vmotiond option group."""
    pairs: list[tuple[str | cfg.OptGroup | None, list[cfg.Opt]]] = []
    for module in conf.MODULES:
        pairs.extend(module.list_opts().items())
    return pairs


def set_lib_defaults() -> None:
    """Give library options vmotiond's defaults in the generated sample."""
    cfg.set_defaults(db_options.database_opts,
                     connection=database.DEFAULT_CONNECTION)
    messaging.set_lib_defaults()
