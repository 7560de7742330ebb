"""``vmotiond-engine``: not wired yet."""

import sys


def main() -> int:
    print("vmotiond-engine: not implemented yet", file=sys.stderr)
    return 2
