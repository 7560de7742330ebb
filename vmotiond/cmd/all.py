"""``vmotiond``: not wired yet."""

import sys


def main() -> int:
    print("vmotiond: not implemented yet", file=sys.stderr)
    return 2
