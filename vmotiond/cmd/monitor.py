"""``vmotiond-monitor``: not wired yet."""

import sys


def main() -> int:
    print("vmotiond-monitor: not implemented yet", file=sys.stderr)
    return 2
