"""oslo.messaging's [DEFAULT] options with vmotiond's defaults.

The embedded default transport is ``fake://``: in-process, enough for the
all-in-one daemon on one machine. Production sets ``rabbit://``.
"""

from oslo_config import cfg
from oslo_messaging import opts as messaging_opts

EMBEDDED_TRANSPORT_URL = "fake://"
CONTROL_EXCHANGE = "vmotiond"


def _default_opts() -> list[cfg.Opt]:
    return [opt for group, opts in messaging_opts.list_opts()
            if group in (None, "DEFAULT") for opt in opts]


# oslo.messaging's group that configures the notifications of the state
# changes (``vmotiond.events``): driver, topics, transport_url, retry.
NOTIFICATIONS_GROUP = "oslo_messaging_notifications"


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(_default_opts())
    conf.register_opts([opt for group, opts in messaging_opts.list_opts()
                        if group == NOTIFICATIONS_GROUP for opt in opts],
                       group=NOTIFICATIONS_GROUP)
    conf.set_default("transport_url", EMBEDDED_TRANSPORT_URL)
    conf.set_default("control_exchange", CONTROL_EXCHANGE)


def list_opts() -> dict[str, list[cfg.Opt]]:
    # oslo.messaging's own namespace lists the options; only the defaults
    # are ours (see set_lib_defaults).
    return {}


def set_lib_defaults() -> None:
    """Show vmotiond's defaults in the generated sample.

    oslo.messaging's ``list_opts`` hands the generator deep copies of its
    module-level option lists, so the defaults are set on those lists.
    """
    for group, opts in messaging_opts._opts:
        if group is None:
            cfg.set_defaults(opts, transport_url=EMBEDDED_TRANSPORT_URL,
                             control_exchange=CONTROL_EXCHANGE)
