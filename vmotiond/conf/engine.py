"""Options of the [engine] group: how vmotiond moves instances."""

from oslo_config import cfg

GROUP = cfg.OptGroup(
    "engine",
    title="Engine options",
    help="Intake of notifications and the moves that recover a host.")

OPTS = [
    cfg.IntOpt(
        "workers",
        default=8,
        min=1,
        help="Size of the thread pool that runs vmoves: how many instances "
             "move at once."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> dict[cfg.OptGroup, list[cfg.Opt]]:
    return {GROUP: OPTS}
