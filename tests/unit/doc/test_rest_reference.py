"""doc/rest-api.md is what tools/gen-api-ref.py makes of the OpenAPI
document: the test fails when one changed without the other."""

import contextlib
import importlib.util
import io
import os

import fixtures
import testtools

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def _tool():
    spec = importlib.util.spec_from_file_location(
        "gen_api_ref", os.path.join(TOP, "tools", "gen-api-ref.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestRestReference(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        self.tool = _tool()
        self.spec = self.tool.load()
        with open(os.path.join(TOP, "doc", "rest-api.md")) as f:
            self.written = f.read()

    def test_not_stale(self) -> None:
        self.assertEqual(
            self.tool.render(self.spec), self.written,
            "doc/rest-api.md is stale: run python tools/gen-api-ref.py")

    def test_every_operation_and_schema_is_documented(self) -> None:
        for path, item in self.spec["paths"].items():
            for method in item:
                self.assertIn("## %s %s\n" % (method.upper(), path),
                              self.written)
        for name in self.spec["components"]["schemas"]:
            self.assertIn("### %s\n" % name, self.written)

    def test_check_mode_reports_a_stale_file(self) -> None:
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            "rest-api.md")
        with open(path, "w") as f:
            f.write("old\n")
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            self.assertEqual(1, self.tool.main(["--check", "--output",
                                                path]))
            self.assertEqual(0, self.tool.main(["--output", path]))
            self.assertEqual(0, self.tool.main(["--check", "--output",
                                                path]))
        self.assertIn("stale", out.getvalue())
