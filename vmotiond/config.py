"""Loading the configuration and setting up logging, once, in one place."""

import re
import sys

from oslo_config import cfg
from oslo_log import log as logging

from vmotiond import conf as vmotiond_conf
from vmotiond import exception

DOMAIN = "vmotiond"


def load(argv: list[str] | None = None,
         conf: cfg.ConfigOpts | None = None,
         description: str | None = None,
         setup_logging: bool = True) -> cfg.ConfigOpts:
    """Register every option, parse the command line and files, check them.

    Every option is read once here, so a bad value in a file stops the
    start with ConfigError naming the option instead of failing later.
    """
    conf = conf if conf is not None else cfg.ConfigOpts()
    vmotiond_conf.register_opts(conf)
    logging.register_options(conf)
    try:
        conf(argv if argv is not None else sys.argv[1:], project=DOMAIN,
             description=description)
        _read_every_option(conf)
    except cfg.ConfigFilesNotFoundError as exc:
        raise exception.ConfigError(
            reason="cannot read config file(s): %s"
            % ", ".join(exc.config_files)) from exc
    except cfg.ConfigFileParseError as exc:
        raise exception.ConfigError(
            reason="%s: %s" % (exc.config_file, exc.msg)) from exc
    except (cfg.RequiredOptError, cfg.ConfigDirNotFoundError) as exc:
        raise exception.ConfigError(reason=str(exc)) from exc
    if setup_logging:
        logging.setup(conf, DOMAIN)
    return conf


def _read_every_option(conf: cfg.ConfigOpts) -> None:
    names: list[tuple[str | None, str]] = [
        (None, name) for name, info in conf._opts.items()
        if not isinstance(info["opt"], cfg.SubCommandOpt)]
    names += [(group.name, name) for group in conf._groups.values()
              for name in group._opts]
    for group, name in names:
        try:
            getattr(conf[group] if group else conf, name)
        except cfg.ConfigFileValueError as exc:
            found = re.search(r"detail='([^']*)'", str(exc))
            source = found.group(1) if found else "the configuration"
            reason = str(exc).rsplit(" is not valid: ", 1)[-1]
            raise exception.ConfigError(
                reason="[%s] %s in %s: %s"
                % (group or "DEFAULT", name, source, reason)) from exc
