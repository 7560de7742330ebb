"""``vmotiond-api``: not wired yet."""

import sys


def main() -> int:
    print("vmotiond-api: not implemented yet", file=sys.stderr)
    return 2
