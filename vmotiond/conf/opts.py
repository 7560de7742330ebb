"""Entry point for oslo-config-generator (namespace ``vmotiond``)."""

from oslo_config import cfg

from vmotiond import conf


def list_opts() -> list[tuple[str | cfg.OptGroup | None, list[cfg.Opt]]]:
    """Return (group, options) pairs for every vmotiond option group."""
    pairs: list[tuple[str | cfg.OptGroup | None, list[cfg.Opt]]] = []
    for module in conf.MODULES:
        pairs.extend(module.list_opts().items())
    return pairs
