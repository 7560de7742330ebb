"""``python -m bench`` (``tox -e bench``): every benchmark, one after another.

Each prints its figures (``bench/results.py``: value, goal, ratio) and
exits non-zero when one misses its goal. Run whole, or with ``--only
NAME,NAME``, the figures of that one run are written to
``bench/RESULTS.md`` with the machine, its load and the versions;
there ``recovery_time`` also measures the larger clouds (``--scale``).
``python -m bench NAME [args]`` runs one benchmark with its own arguments
(``--help`` lists them) and writes nothing. Run alone, the API benchmark
fills one million vmoves into MariaDB the first time (under a minute: the
database makes the rows, see ``bench.vmoves_fill``) and keeps the
database for the next run; ``masakari`` installs Masakari into
``.venv-masakari`` the first time (about a minute).
"""

import datetime
import importlib
import sys
import traceback

from bench import results

BENCHMARKS = ("detection_latency", "monitor_cycle", "recovery_time",
              "masakari", "api_latency", "console_pages", "capacity_check",
              "metrics_scrape")
# The arguments a benchmark gets in a whole run (none by default).
RUN_ALL_ARGS = {"recovery_time": ["--scale"]}


def run_all(names: list[str], command: str) -> int:
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = results.load_average()
    failed = []
    for name in names:
        print("== %s" % name, flush=True)
        before = len(results.recorded())
        try:
            rc = importlib.import_module("bench." + name).main(
                list(RUN_ALL_ARGS.get(name, [])))
        except SystemExit as exc:      # one broken benchmark stops no other
            rc = str(exc.code)[:300] if exc.code else 0
        except Exception as exc:
            traceback.print_exc()
            rc = "%s: %s" % (type(exc).__name__, str(exc)[:300])
        if rc:
            failed.append(name)
        if len(results.recorded()) == before:
            # A benchmark that ended before recording a figure (broken,
            # or a service it needs missing): RESULTS.md says so.
            results.record(results.Figure(
                name, "exit status (no figure recorded)",
                1.0 if rc else 0.0, "",
                detail="%s; see the output of python -m bench %s" % (
                    "it failed (%s)" % rc if rc else "it ended", name)))
    path = results.write(results.recorded(), started, load_before,
                         command=command)
    print("benchmarks missing their bound: %s" % (", ".join(failed)
                                                  or "none"))
    print("figures written to %s" % path)
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    if argv and argv[0] in BENCHMARKS:
        module = importlib.import_module("bench." + argv[0])
        return int(module.main(argv[1:]) or 0)
    if len(argv) == 2 and argv[0] == "--only":
        names = argv[1].split(",")
        unknown = [n for n in names if n not in BENCHMARKS]
        if not unknown:
            return run_all(names, "python -m bench --only " + argv[1])
        argv = unknown
    if argv:
        print("unknown benchmark %s; one of: %s"
              % (argv[0], ", ".join(BENCHMARKS)), file=sys.stderr)
        return 2
    return run_all(list(BENCHMARKS), "python -m bench")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
