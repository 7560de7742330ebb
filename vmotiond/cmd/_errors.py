"""How every console command reports a failure: one line, non-zero exit."""

from collections.abc import Callable
import functools
import os
import sys

from vmotiond import exception


def one_line_errors(main: Callable[[], int | None]) -> Callable[[], int]:
    """Turn vmotiond errors escaping ``main`` into one line on stderr."""

    @functools.wraps(main)
    def wrapper() -> int:
        try:
            return main() or 0
        except exception.VmotiondError as exc:
            prog = os.path.basename(sys.argv[0])
            print("%s: error: %s" % (prog, exc), file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 130

    return wrapper
