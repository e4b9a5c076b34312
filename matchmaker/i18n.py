"""Translations: gettext catalogues per UN language, chosen per request through a context var.

``_`` translates now (inside a request); ``lazy_gettext`` marks module-level strings that are
translated when shown. Catalogues live in ``matchmaker/locale/<lang>/LC_MESSAGES/messages.po``
and are compiled on first use, so no build step is needed.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES: dict[str, str] = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "ru": "Русский",
    "zh": "中文",
}
RTL_LANGUAGES = frozenset({"ar"})
DEFAULT_LANGUAGE = "en"

_current_language: ContextVar[str] = ContextVar("matchmaker_language", default=DEFAULT_LANGUAGE)


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> NullTranslations:
    """The catalogue of ``language`` (an empty one for English or a missing catalogue)."""
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not po_path.exists():
        return NullTranslations()
    import io

    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def set_language(language: str) -> None:
    _current_language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def get_language() -> str:
    return _current_language.get()


def is_rtl(language: str | None = None) -> bool:
    return (language or get_language()) in RTL_LANGUAGES


def gettext(message: str, **variables: object) -> str:
    text = translations(get_language()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(get_language()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext


def lazy_gettext(message: str) -> LazyProxy:
    """A string translated each time it is shown, for module-level labels."""
    return LazyProxy(gettext, message, enable_cache=False)


def pick_language(requested: str | None, accept_language: str | None) -> str:
    """The language from an explicit choice, else the browser's Accept-Language, else English."""
    if requested and requested in LANGUAGES:
        return requested
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def babel_locale(language: str | None = None) -> Locale:
    return Locale.parse(language or get_language())
