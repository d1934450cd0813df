"""The window in the user's language: Settings → Language opens it again in that language (the page shown
kept), Arabic mirrors it, and what the services say reads in the language chosen.

Spans ui/translator.py, ui/main_window.py (the Language menu), app.py (WindowHost) and crm_desktop/i18n.py."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid

from crm_desktop import i18n
from crm_desktop.app import WindowHost
from crm_desktop.config import Settings
from crm_desktop.services import company, tasks
from crm_desktop.ui import translator


@pytest.fixture
def host(qtbot, sqlite_ctx, paths, reporter):
    if not company.is_set_up(sqlite_ctx):
        profile = company.get(sqlite_ctx)
        company.update(sqlite_ctx, expected_version=profile.version, name="Ipak Yo'li")
    host = WindowHost(sqlite_ctx, paths, reporter)
    yield host
    if host.window is not None:
        host.window.close()


def menu_titles(window) -> list[str]:
    return [a.text() for a in window.menuBar().actions()]


def opened(qtbot, window):
    """`window` once its page loaded (the host closes it: the one it replaces is already gone)."""
    qtbot.waitUntil(lambda: window.ready, timeout=15_000)
    return window


def test_choosing_russian_opens_the_window_again_in_russian_on_the_same_page(
    host, qtbot, sqlite_ctx, paths, clock
):
    task = tasks.create(sqlite_ctx, title="Call Aziz", due_at=clock.current, remind_at=clock.current)
    window = opened(qtbot, host.open("en"))
    assert menu_titles(window) == ["&File", "&Clients", "&Settings", "&Go", "&Help"]
    window.show_page("deals")
    qtbot.waitUntil(lambda: task.id in window.reminder_window.rows)

    russian = next(a for a in window.language_menu.actions() if a.data() == "ru")
    with qtbot.waitSignal(window.language_chosen):
        russian.trigger()
    again = opened(qtbot, host.window)
    assert again is not window and not (isValid(window) and window.isVisible())  # the old one is gone
    assert menu_titles(again) == [
        i18n.gettext(t, "ru") for t in ("&File", "&Clients", "&Settings", "&Go", "&Help")
    ]
    assert menu_titles(again) != [
        "&File",
        "&Clients",
        "&Settings",
        "&Go",
        "&Help",
    ]  # translated, not the English ids
    assert again.current_key() == "deals"  # the page that was shown
    assert Settings(paths.settings_file).get("language") == "ru"  # this PC user's choice, for the next start
    qtbot.waitUntil(lambda: task.id in again.reminder_window.rows)
    assert again.reminder_window.windowTitle() == i18n.gettext("Reminder", "ru")
    assert QLocale().language() == QLocale.Language.Russian  # dates and numbers follow


def test_arabic_mirrors_the_window_with_the_sidebar_on_the_right(host, qtbot):
    window = opened(qtbot, host.open("ar"))
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.isRightToLeft()
    assert (
        window.nav.mapTo(window, window.nav.rect().topLeft()).x()
        > window.stack.mapTo(window, window.stack.rect().topLeft()).x()
    )
    assert menu_titles(window)[0] == i18n.gettext("&File", "ar") != "&File"
    # a path in an Arabic sentence is set apart, or its slashes would be turned around with the sentence
    assert f"\u2068{window.ops.ctx.db.describe()}\u2069" in window.database_label.text()


def test_a_service_refusal_reads_in_uzbek(open_window, qtbot):
    translator.install("uz")
    window = open_window()
    window.show_page("clients")
    view = window.clients_view
    view.new_client()
    form = view.form
    qtbot.waitUntil(form.isVisible)
    form.save()
    qtbot.waitUntil(lambda: form.errors["name"].isVisible())
    english = "Name cannot be empty. Please enter it."
    assert form.errors["name"].text() == i18n.gettext(english, "uz") != english


def test_a_message_reads_in_the_readers_language_and_keeps_a_latin_name_apart_in_arabic():
    said = i18n.Message("Call back {name}", name="Aziz Karimov")
    assert said.render("en") == "Call back Aziz Karimov"
    assert said.render("ru") == i18n.gettext("Call back {name}", "ru").format(name="Aziz Karimov")
    assert "\u2068Aziz Karimov\u2069" in said.render("ar")  # an isolate: the name keeps its own order
    counted = i18n.Message.counted("1 client handed over.", "{n} clients handed over.", 21)
    assert counted.render("en") == "21 clients handed over."
    assert i18n.Message.from_json(counted.to_json()) == counted
