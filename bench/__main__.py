"""``python -m bench`` (``tox -e bench``): every benchmark, one after another.

Each prints its figures as ratios against its bound and exits non-zero when
a ratio misses it. ``python -m bench NAME [args]`` runs one of them with its
own arguments (``--help`` lists them). Run alone, the API benchmark fills
one million vmoves into MariaDB the first time (about 90 s) and keeps
the database for the next run.
"""

import importlib
import sys

BENCHMARKS = ("detection_latency", "monitor_cycle", "recovery_time",
              "api_latency",
              "console_pages")


def main(argv: list[str]) -> int:
    if argv and argv[0] in BENCHMARKS:
        module = importlib.import_module("bench." + argv[0])
        return int(module.main(argv[1:]) or 0)
    if argv:
        print("unknown benchmark %s; one of: %s"
              % (argv[0], ", ".join(BENCHMARKS)), file=sys.stderr)
        return 2
    failed = []
    for name in BENCHMARKS:
        print("== %s" % name, flush=True)
        module = importlib.import_module("bench." + name)
        if module.main([]):
            failed.append(name)
    print("benchmarks missing their bound: %s" % (", ".join(failed)
                                                  or "none"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
