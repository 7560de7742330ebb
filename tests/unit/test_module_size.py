"""No module under ``vmotiond/`` is over 400 lines: small modules whose
names say what they hold (see ``doc/architecture.md``)."""

import pathlib

import fixtures
import testtools

ROOT = pathlib.Path(__file__).resolve().parents[2] / "vmotiond"
MAX_LINES = 400


def oversized(root: pathlib.Path = ROOT,
              limit: int = MAX_LINES) -> dict[str, int]:
    """Each module over ``limit`` lines, by its path under ``root``'s
    parent, with its length."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        length = len(path.read_text().splitlines())
        if length > limit:
            found[str(path.relative_to(root.parent))] = length
    return found


class ModuleSizeTest(testtools.TestCase):

    def test_no_module_over_the_limit(self) -> None:
        found = oversized()
        self.assertEqual({}, found, "modules over %d lines: %s" % (
            MAX_LINES, ", ".join("%s (%d)" % item
                                 for item in sorted(found.items()))))

    def test_an_oversized_module_is_named_with_its_length(self) -> None:
        tmp = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        package = tmp / "vmotiond"
        (package / "sub").mkdir(parents=True)
        (package / "small.py").write_text("x = 1\n" * 400)
        (package / "sub" / "big.py").write_text("x = 1\n" * 401)
        self.assertEqual({"vmotiond/sub/big.py": 401}, oversized(package))
