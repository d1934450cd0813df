"""Qt's tr() answered from our one catalogue (crm_desktop/i18n.py), so widgets and services share it.

Installed last, it is asked first, for every context: the window's own strings, and Qt's — the
standard buttons ("&Save", "&Cancel") and dialogs, which Qt translates itself for Russian and Arabic
(qtbase_ru.qm, qtbase_ar.qm) but not for Uzbek or Azerbaijani; our catalogue carries those.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtGui import QGuiApplication

from crm_desktop import i18n

TRANSLATOR = "crm-translator"  # the object name of the translators install() puts in, to take them out

# How each language is written where we work (i18n.LOCALE_NAMES): here the region decides dates and the
# first day of the week, the script Uzbek's and Azerbaijani's Latin alphabet; numbers and amounts are
# written by i18n.number_text, the same in the window, the documents and the command line.
LOCALES = {code: QLocale(name) for code, name in i18n.LOCALE_NAMES.items()}


def locale_for(language: str) -> QLocale:
    """The system's locale when it is of that language (its region kept: ru_KZ stays ru_KZ), else ours."""
    system = QLocale.system()
    return system if i18n.language_of(system.name()) == language else LOCALES[language]


class CatalogueTranslator(QTranslator):
    def translate(  # noqa: ARG002 - Qt's signature; one catalogue answers every context
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        # tr(text, disambiguation): the disambiguation is the catalogue's context (msgctxt)
        found = i18n.pgettext(disambiguation, source) if disambiguation else i18n.gettext(source)
        return found if found != source else None  # None (a null string): not ours, Qt asks on

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False


def uninstall(app: QCoreApplication) -> None:
    """Back to the source language's texts, the system's locale and left to right."""
    for old in app.findChildren(QTranslator, TRANSLATOR):
        app.removeTranslator(old)
        old.deleteLater()
    QLocale.setDefault(QLocale.system())
    if isinstance(app, QGuiApplication):
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def install(language: str) -> None:
    """Speak `language` from now on: the catalogue, Qt's own words, the locale and the direction."""
    app = QCoreApplication.instance()
    i18n.set_language(language)
    uninstall(app)
    locale = locale_for(language)
    qt = QTranslator(app, objectName=TRANSLATOR)
    if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
    app.installTranslator(CatalogueTranslator(app, objectName=TRANSLATOR))
    QLocale.setDefault(locale)
    if isinstance(app, QGuiApplication):
        rtl = i18n.is_right_to_left(language)
        app.setLayoutDirection(Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight)
