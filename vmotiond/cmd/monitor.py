"""``vmotiond-monitor``: the host monitor, for split deployments."""

from vmotiond import bootstrap
from vmotiond.cmd import _daemon
from vmotiond.cmd import _errors


@_errors.one_line_errors
def main() -> int:
    return _daemon.run("vmotiond-monitor", "vmotiond's host monitor.",
                       _daemon.one_part(bootstrap.monitor_part,
                                        "monitor_port"))
