"""The console's languages: the choice of one, and complete catalogs."""

import pathlib
import re

import testtools

from vmotiond.console import i18n
from vmotiond.console import texts

CONSOLE = pathlib.Path(i18n.__file__).parent
_MSG = re.compile(r'^msgid "(.*)"\nmsgstr "(.*)"$', re.MULTILINE)


def po_entries(language: str) -> dict[str, str]:
    """msgid -> msgstr of a catalog's source (one line each)."""
    path = (i18n.LOCALE_DIR / language / "LC_MESSAGES" /
            ("%s.po" % i18n.DOMAIN))
    return {found.group(1): found.group(2)
            for found in _MSG.finditer(path.read_text()) if found.group(1)}


def used_texts() -> set[str]:
    """Every text the templates and the scripts' words put on a page."""
    found = set(texts.SCRIPT_TEXTS.values())
    for template in (CONSOLE / "templates").glob("*.html"):
        found.update(re.findall(r'_\("([^"]+)"\)', template.read_text()))
    return found


class TestNegotiate(testtools.TestCase):

    def test_accept_language(self) -> None:
        pick = i18n.from_accept_language
        self.assertEqual("zh_CN", pick("zh-CN,zh;q=0.9,en;q=0.8"))
        self.assertEqual("zh_CN", pick("zh-Hans"))
        self.assertEqual("en", pick("fr-FR, en-GB;q=0.5, zh;q=0.4"))
        self.assertEqual("zh_CN", pick("en;q=0.2, zh;q=0.9"))
        self.assertEqual("en", pick("en;q=0.5, zh;q=0.5"))
        self.assertIsNone(pick("fr, de"))
        self.assertIsNone(pick("zh;q=0, fr"))
        self.assertIsNone(pick("zh;q=x"))
        self.assertIsNone(pick(None))

    def test_order_of_choice(self) -> None:
        self.assertEqual("en", i18n.negotiate("en", "zh_CN", "zh"))
        self.assertEqual("zh_CN", i18n.negotiate(None, "zh_CN", "en"))
        self.assertEqual("zh_CN", i18n.negotiate("xx", "yy", "zh-CN"))
        self.assertEqual("en", i18n.negotiate(None, None, None))


class TestCatalogs(testtools.TestCase):

    def test_chinese_translates_every_text(self) -> None:
        entries = po_entries("zh_CN")
        missing = sorted(text for text in used_texts()
                         if not entries.get(text))
        self.assertEqual([], missing)

    def test_no_stale_entry(self) -> None:
        self.assertEqual([], sorted(set(po_entries("zh_CN")) - used_texts()))

    def test_compiled_catalog_matches_its_source(self) -> None:
        catalog = i18n.translations("zh_CN")
        self.assertEqual(
            {k: v for k, v in po_entries("zh_CN").items()},
            {k: catalog.gettext(k) for k in po_entries("zh_CN")})
        self.assertEqual("主机信息", catalog.gettext("Hosts"))

    def test_english_is_the_source(self) -> None:
        self.assertEqual("Hosts", i18n.translations("en").gettext("Hosts"))

    def test_script_texts_follow_the_catalog(self) -> None:
        words = texts.for_script(i18n.translations("zh_CN").gettext)
        self.assertEqual(set(texts.SCRIPT_TEXTS), set(words))
        self.assertEqual("宕机", words["down"])
        self.assertEqual("down", texts.for_script(str)["down"])
