"""The one shape every benchmark gives its figures in, and RESULTS.md.

A benchmark hands each figure it measured to :func:`record`, which prints
it on one line and keeps it; ``python -m bench`` (every benchmark) then
writes them all with the machine, its load and the versions to
``bench/RESULTS.md`` (:func:`write`). A figure with a goal says by how
much it meets or misses it: ``ratio`` is value / goal, and the goal holds
when the ratio is at most 1 (``better="lower"``, a time, a cost) or at
least 1 (``better="higher"``, a rate). A figure without a goal is a
comparison or a count, shown as measured.

    from bench import results
    results.record(results.Figure(
        "recovery_time", "makespan / ceil(N/C)*L, N=100", 1.27, "x",
        goal=1.10, detail="27.9 s against 22.0 s"))
"""

from collections.abc import Iterable
import dataclasses
import datetime
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS_MD = os.path.join(HERE, "RESULTS.md")


@dataclasses.dataclass(frozen=True)
class Figure:
    """One measured figure of one benchmark."""

    bench: str                  # the module: recovery_time, masakari ...
    name: str                   # what was measured, with its parameters
    value: float
    unit: str                   # "s", "ms", "req/s", "x", "requests" ...
    goal: float | None = None   # the bound on ``value``, in its unit
    better: str = "lower"       # "lower": value <= goal holds; "higher"
    detail: str = ""            # how it was measured, what it compares

    @property
    def ratio(self) -> float | None:
        if not self.goal:
            return None
        return self.value / self.goal

    @property
    def passed(self) -> bool | None:
        ratio = self.ratio
        if ratio is None:
            return None
        return ratio <= 1.0 if self.better == "lower" else ratio >= 1.0

    def goal_text(self) -> str:
        if self.goal is None:
            return "—"
        return "%s %s %s" % ("≤" if self.better == "lower" else "≥",
                             _num(self.goal), self.unit)

    def verdict(self) -> str:
        passed = self.passed
        if passed is None:
            return ""
        return "PASS" if passed else "FAIL"

    def line(self) -> str:
        """The figure as one printed line."""
        text = "%s: %s %s" % (self.name, _num(self.value), self.unit)
        if self.goal is not None:
            text += " (goal %s; ratio %.2f) %s" % (
                self.goal_text(), self.ratio or 0.0, self.verdict())
        if self.detail:
            text += " -- " + self.detail
        return text


def _num(value: float) -> str:
    if value != value:          # NaN
        return "n/a"
    if abs(value) >= 100:
        return "%.0f" % value
    if abs(value) >= 10:
        return "%.1f" % value
    return "%.3g" % value


_RECORDED: list[Figure] = []
_VERSIONS: dict[str, str] = {}


def record(figure: Figure) -> Figure:
    """Print ``figure`` and keep it for RESULTS.md."""
    print("figure %s" % figure.line(), flush=True)
    _RECORDED.append(figure)
    return figure


def recorded() -> list[Figure]:
    return list(_RECORDED)


def note_version(name: str, version: str) -> None:
    """A version RESULTS.md names beside vmotiond's (Masakari's ...)."""
    _VERSIONS[name] = version


def missed(figures: Iterable[Figure]) -> list[Figure]:
    return [f for f in figures if f.passed is False]


# The machine -----------------------------------------------------------

def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "unknown"


def _version(package: str) -> str:
    from importlib import metadata
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git_head() -> str:
    try:
        out = subprocess.run(["git", "-C", HERE, "describe", "--always",
                              "--dirty"], capture_output=True, text=True,
                             timeout=10, check=False)
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def machine() -> dict[str, str]:
    return {
        "cores": str(os.cpu_count()),
        "CPU": cpu_model(),
        "Python": sys.version.split()[0],
        "platform": platform.platform(),
        "vmotiond": "%s (%s)" % (_version("vmotiond"), _git_head()),
        "openstacksdk": _version("openstacksdk"),
        "SQLAlchemy": _version("SQLAlchemy"),
        "oslo.messaging": _version("oslo.messaging"),
    }


def write(figures: list[Figure], started: datetime.datetime,
          load_before: str, path: str = RESULTS_MD,
          command: str = "python -m bench",
          extra_versions: dict[str, str] | None = None) -> str:
    """Write RESULTS.md: the run, the machine, every figure; its path."""
    ended = datetime.datetime.now(datetime.timezone.utc)
    info = machine()
    info.update(_VERSIONS)
    info.update(extra_versions or {})
    lines = [
        "# Benchmark results",
        "",
        "Written by `%s`; every figure below was measured in that one run."
        % command,
        "",
        "| | |", "|---|---|",
        "| run | %s – %s UTC |" % (started.strftime("%Y-%m-%d %H:%M"),
                                  ended.strftime("%H:%M")),
        "| load average before / after | %s / %s |" % (load_before,
                                                       load_average()),
    ]
    lines += ["| %s | %s |" % kv for kv in info.items()]
    lines += ["", "| benchmark | figure | measured | goal | ratio to goal | |",
              "|---|---|---|---|---|---|"]
    for f in figures:
        lines.append("| %s | %s | %s %s | %s | %s | %s |" % (
            f.bench, f.name, _num(f.value), f.unit, f.goal_text(),
            "%.2f" % f.ratio if f.ratio is not None else "—", f.verdict()))
    notes = [f for f in figures if f.detail]
    if notes:
        lines += ["", "## How each was measured", ""]
        lines += ["- **%s, %s**: %s" % (f.bench, f.name,
                                         " ".join(f.detail.split()))
                  for f in notes]
    lines.append("")
    with open(path, "w") as out:
        out.write("\n".join(lines))
    return path
