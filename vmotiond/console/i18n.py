"""The console's languages: gettext catalogs and the choice of one."""

import gettext
import pathlib

DOMAIN = "vmotiond-console"
LOCALE_DIR = pathlib.Path(__file__).parent / "locale"
DEFAULT = "en"
# Language code -> the name shown in the switch, in that language.
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}


def _known(tag: str) -> str | None:
    """The console language for one language tag (``zh-Hans-CN``...)."""
    tag = tag.strip().lower().replace("_", "-")
    if tag == "zh" or tag.startswith("zh-"):
        return "zh_CN"
    if tag == "en" or tag.startswith("en-"):
        return "en"
    return None


def from_accept_language(header: str | None) -> str | None:
    """The preferred known language of an Accept-Language header."""
    ranked = []
    for index, item in enumerate((header or "").split(",")):
        tag, _, params = item.partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                continue
        code = _known(tag)
        if code is not None and weight > 0:
            ranked.append((-weight, index, code))
    return min(ranked)[2] if ranked else None


def negotiate(asked: str | None, remembered: str | None,
              accept_language: str | None) -> str:
    """The language of a page: asked in the URL, else the cookie's, else
    the browser's, else English."""
    for choice in (asked, remembered):
        if choice in LANGUAGES:
            return str(choice)
    return from_accept_language(accept_language) or DEFAULT


def translations(language: str) -> gettext.NullTranslations:
    """The catalog of ``language`` (English is the source text)."""
    return gettext.translation(DOMAIN, str(LOCALE_DIR), [language],
                               fallback=True)
