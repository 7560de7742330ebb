"""The configuration a benchmark runs vmotiond's code with: every option
at its default, no configuration file read, state under ``state_path``."""

from oslo_config import cfg

from vmotiond import conf as vmotiond_conf


def bench_conf(state_path: str | None = None) -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    vmotiond_conf.register_opts(conf)
    conf([], project="vmotiond", default_config_files=[],
         default_config_dirs=[])
    if state_path is not None:
        conf.set_override("state_path", state_path)
    conf.set_override("host", "bench")
    return conf
