"""Where each reliability scenario leaves its figures, and the table.

A scenario appends one JSON line per run to ``figures.jsonl`` in
``$VMOTIOND_RELIABILITY_DIR`` (default ``.reliability/`` at the top of the
checkout); ``python -m tests.reliability.figures`` prints them as one
table, after ``tox -e reliability`` and the README's test command.
"""

import json
import os
import pathlib
import sys
from typing import Any

TOP = pathlib.Path(__file__).resolve().parents[2]
# The figures that must be 0 in every scenario that reports them.
MUST_BE_ZERO = ("lost", "duplicates", "left_on_dead_host", "not_final",
                "failed", "crashes", "wrongful_fences",
                "wrongful_evacuations", "api_5xx", "access_without_role",
                "requeue_loops", "missed_failures", "duplicate_workflows",
                "unwarranted_workflows", "forwarded_refused", "alerts_lost",
                "two_leader_seconds", "run_by_two_engines")


def path() -> pathlib.Path:
    return pathlib.Path(os.environ.get("VMOTIOND_RELIABILITY_DIR",
                                       TOP / ".reliability")) / "figures.jsonl"


def record(scenario: str, **figures: Any) -> None:
    """Append ``scenario``'s figures (one run) and print them."""
    line = json.dumps({"scenario": scenario, **figures}, sort_keys=True)
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "a") as f:
        f.write(line + "\n")
    print(line)


def table(rows: list[dict[str, Any]]) -> str:
    """The runs as a table: one row per scenario, its must-be-0 figures
    first, then the others, each ``name=value``."""
    cells = []
    for r in rows:
        names = [k for k in MUST_BE_ZERO if k in r] + sorted(
            k for k in r if k != "scenario" and k not in MUST_BE_ZERO)
        cells.append((str(r["scenario"]),
                      " ".join("%s=%s" % (k, r[k]) for k in names)))
    width = max(len("scenario"), *(len(c[0]) for c in cells))
    lines = ["%s  %s" % ("scenario".ljust(width), "figures (must-be-0 first)"),
             "%s  %s" % ("-" * width, "-" * 25)]
    lines.extend("%s  %s" % (name.ljust(width), figures)
                 for name, figures in cells)
    return "\n".join(lines)


def main() -> int:
    """Print the table; exit 1 when a must-be-0 figure is not, or when
    no scenario reported."""
    target = path()
    rows = [json.loads(line) for line in target.read_text().splitlines()
            ] if target.exists() else []
    if not rows:
        print("reliability: no scenario reported figures in %s" % target)
        return 1
    print(table(rows))
    bad = [(r["scenario"], k, r[k]) for r in rows for k in MUST_BE_ZERO
           if r.get(k)]
    for scenario, name, value in bad:
        print("reliability: %s: %s = %s, must be 0" % (scenario, name,
                                                        value))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
