"""The boundaries between vmotiond's parts, read from the imports.

Every import of every module under ``vmotiond/`` counts, wherever it is
written (module level, inside a function, under ``TYPE_CHECKING``): each is
a dependency a reader has to follow. The rules are those of
``doc/architecture.md`` (section "Import boundaries"): change both
together.
"""

import ast
import collections
import pathlib
import sys

import testtools

ROOT = pathlib.Path(__file__).resolve().parents[2] / "vmotiond"

# (importer, imported): a module under the first may not import one under
# the second.
FORBIDDEN = (
    ("vmotiond.engine", "vmotiond.monitor"),
    ("vmotiond.monitor", "vmotiond.engine"),
    # The contract between monitor and engine depends on neither.
    ("vmotiond.verdict", "vmotiond.engine"),
    ("vmotiond.verdict", "vmotiond.monitor"),
    ("vmotiond.api", "vmotiond.engine"),
    ("vmotiond.api", "vmotiond.cloud"),
    ("vmotiond.api", "vmotiond.monitor"),
    ("vmotiond.db", "vmotiond.cloud"),
    ("vmotiond.db", "vmotiond.engine"),
    # What the engine's server and its clients (manage, api) share stays
    # neutral: the api may import it.
    ("vmotiond.engine_client", "vmotiond.engine"),
    ("vmotiond.engine_client", "vmotiond.cloud"),
    ("vmotiond.engine_client", "vmotiond.monitor"),
    ("vmotiond.engine_client", "vmotiond.db"),
    # Inside the engine, each layer uses only the ones before it:
    # deciding <- running <- workflows <- commands.
    ("vmotiond.engine.deciding", "vmotiond.engine.running"),
    ("vmotiond.engine.deciding", "vmotiond.engine.workflows"),
    ("vmotiond.engine.deciding", "vmotiond.engine.commands"),
    ("vmotiond.engine.running", "vmotiond.engine.workflows"),
    ("vmotiond.engine.running", "vmotiond.engine.commands"),
    ("vmotiond.engine.workflows", "vmotiond.engine.commands"),
)
# The console reads through the REST API: of vmotiond it imports itself.
CONSOLE = "vmotiond.console"
CONSOLE_MAY_IMPORT = ("vmotiond.console",)
# The simulator stands for Nova: of vmotiond it uses the clock only.
SIM = "vmotiond.sim"
SIM_MAY_IMPORT = ("vmotiond.sim", "vmotiond.clock")
# The openstackclient plugin runs where OSC is installed, maybe without the
# daemon's dependencies (pip install --no-deps): of vmotiond it imports
# itself, and beside the standard library only what OSC brings. Nothing
# else imports it (cliff and osc-lib are no requirement of the daemon).
OSC = "vmotiond.osc"
OSC_MAY_IMPORT = ("vmotiond.osc",)
OSC_THIRD_PARTY = ("cliff", "osc_lib", "keystoneauth1")


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, pathlib.Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def imports(known: dict[str, pathlib.Path]) -> dict[str, set[str]]:
    """The vmotiond modules each vmotiond module imports."""
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        found: set[str] = set()
        package = name if path.name == "__init__.py" else \
            name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")
                    up = up[:len(up) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                for alias in node.names:
                    full = "%s.%s" % (base, alias.name)
                    found.add(full if full in known else base)
        graph[name] = {m for m in found
                       if m == "vmotiond" or m.startswith("vmotiond.")}
    return graph


def top_level_imports(path: pathlib.Path) -> set[str]:
    """The first name of every module ``path`` imports (absolute)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name.partition(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.add((node.module or "").partition(".")[0])
    return found


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (or of
    a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(start: str) -> None:
        # Iterative Tarjan: the graph may be deeper than the recursion
        # limit one day.
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    found.append(frozenset(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return found


class ImportRulesTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.graph = imports(modules())

    def test_the_graph_is_read(self):
        # A walk that found nothing would pass every rule.
        self.assertIn("vmotiond.clock", self.graph["vmotiond.sim.cloud"])
        self.assertIn("vmotiond.engine.operations",
                      self.graph["vmotiond.engine.manager"])
        # The api reaches the engine through the neutral client only.
        self.assertIn("vmotiond.engine_client",
                      self.graph["vmotiond.api.actions"])

    def test_no_forbidden_import(self):
        bad = sorted(
            "%s imports %s" % (name, dep)
            for name, deps in self.graph.items() for dep in deps
            for importer, imported in FORBIDDEN
            if _under(name, importer) and _under(dep, imported))
        self.assertEqual([], bad)

    def test_simulator_imports_only_the_clock(self):
        bad = sorted(
            "%s imports %s" % (name, dep)
            for name, deps in self.graph.items() if _under(name, SIM)
            for dep in deps
            if not any(_under(dep, ok) for ok in SIM_MAY_IMPORT))
        self.assertEqual([], bad)

    def test_console_imports_only_itself(self):
        self.assertIn("vmotiond.console.app",
                      self.graph["vmotiond.api.deploy"])
        bad = sorted(
            "%s imports %s" % (name, dep)
            for name, deps in self.graph.items() if _under(name, CONSOLE)
            for dep in deps
            if not any(_under(dep, ok) for ok in CONSOLE_MAY_IMPORT))
        self.assertEqual([], bad)

    def test_osc_plugin_imports_only_itself_and_osc(self):
        self.assertIn("vmotiond.osc.client",
                      self.graph["vmotiond.osc.v1.hosts"])
        bad = sorted(
            "%s imports %s" % (name, dep)
            for name, deps in self.graph.items() for dep in deps
            if _under(name, OSC) != _under(dep, OSC)
            or (_under(name, OSC)
                and not any(_under(dep, ok) for ok in OSC_MAY_IMPORT)))
        self.assertEqual([], bad)
        outside = sorted(
            "%s imports %s" % (name, top)
            for name, path in modules().items() if _under(name, OSC)
            for top in top_level_imports(path)
            if top not in sys.stdlib_module_names
            and top not in OSC_THIRD_PARTY + ("vmotiond",))
        self.assertEqual([], outside)
        self.assertIn("cliff", top_level_imports(
            ROOT / "osc" / "v1" / "common.py"))

    def test_no_import_cycle(self):
        self.assertEqual([], [sorted(c) for c in cycles(self.graph)])

    def test_cycle_finder(self):
        graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"},
                 "e": {"e"}}
        self.assertEqual({frozenset("abc"), frozenset("e")},
                         set(cycles(graph)))
        self.assertEqual([], cycles(collections.defaultdict(
            set, {"a": {"b"}, "b": set()})))
