"""``vmotiond-engine``: the recovery engine, for split deployments."""

from vmotiond import bootstrap
from vmotiond.cmd import _daemon
from vmotiond.cmd import _errors


@_errors.one_line_errors
def main() -> int:
    return _daemon.run("vmotiond-engine", "vmotiond's recovery engine.",
                       _daemon.one_part(bootstrap.engine_part,
                                        "engine_port"))
