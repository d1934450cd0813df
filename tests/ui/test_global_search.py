"""The global search field (Ctrl+K) and, at the end, the first-run dialog, through real widgets.

(The first-run dialog's tests live here because this helper's files were fixed in advance; they can
move to tests/ui/test_first_run.py as they are.)
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from crm_desktop import i18n
from crm_desktop.app import build_main_window
from crm_desktop.db.models import AuditEntry
from crm_desktop.services import clients, company, deals, pipelines
from crm_desktop.services.global_search import Hit
from crm_desktop.ui.first_run import FirstRunDialog
from crm_desktop.ui.global_search import GlobalSearch, HitsModel


@pytest.fixture
def search(qtbot, ops) -> GlobalSearch:
    widget = GlobalSearch(ops)
    qtbot.addWidget(widget)
    widget.resize(400, 30)
    widget.show()
    qtbot.waitUntil(widget.isActiveWindow)
    widget.focus()
    return widget


def shown(widget: GlobalSearch) -> list[str]:
    return [widget.model.index(r).data() for r in range(widget.model.rowCount())]


def test_phone_digits_find_the_client_and_enter_opens_it(qtbot, search, sqlite_ctx):
    zarina = clients.create(sqlite_ctx, name="Zarina Rahimova", phones=["+998 90 123 45 67"]).id
    clients.create(sqlite_ctx, name="Aziz Karimov", phones=["+998 91 765 44 33"])
    qtbot.keyClicks(search.edit, "123 45")
    qtbot.waitUntil(lambda: search.popup.isVisible())
    assert shown(search) == ["Client: Zarina Rahimova  —  +998 90 123 45 67"]
    with qtbot.waitSignal(search.open_requested) as opened:
        qtbot.keyClick(search.edit, Qt.Key.Key_Return)
    assert opened.args == ["client", zarina]
    assert not search.popup.isVisible()


def test_up_and_down_choose_among_kinds_and_escape_closes(qtbot, search, sqlite_ctx):
    aziz = clients.create(sqlite_ctx, name="Aziz Karimov").id
    deal = deals.create(
        sqlite_ctx, client_id=aziz, title="Aziz office cleaning", amount="1500", currency="USD"
    ).id
    qtbot.keyClicks(search.edit, "aziz")
    qtbot.waitUntil(lambda: search.model.rowCount() == 2)
    assert [h.kind for h in search.model.hits] == ["client", "deal"]
    qtbot.keyClick(search.edit, Qt.Key.Key_Down)
    assert search.current_hit == Hit("deal", deal, "Aziz office cleaning", "Aziz Karimov · 1,500.00 USD")
    qtbot.keyClick(search.edit, Qt.Key.Key_Up)
    assert search.current_hit.kind == "client"
    qtbot.keyClick(search.edit, Qt.Key.Key_Escape)
    assert (
        not search.popup.isVisible() and search.edit.text() == "aziz"
    )  # Esc closes the list, keeps the text


def test_an_answer_to_an_older_query_is_dropped(qtbot, search, sqlite_ctx):
    clients.create(sqlite_ctx, name="Zarina Rahimova")
    clients.create(sqlite_ctx, name="Aziz Karimov")
    search.edit.setText("aziz")
    search._search()  # the first query goes out…
    search.edit.setText("zarina")
    search._search()  # …and a second one before the first answer is shown
    qtbot.waitUntil(lambda: not search.ops.busy)
    assert [h.title for h in search.model.hits] == ["Zarina Rahimova"]


def test_clearing_the_text_closes_the_list(qtbot, search, sqlite_ctx):
    clients.create(sqlite_ctx, name="Zarina Rahimova")
    qtbot.keyClicks(search.edit, "zar")
    qtbot.waitUntil(lambda: search.popup.isVisible())
    search.edit.selectAll()
    qtbot.keyClick(search.edit, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: not search.popup.isVisible())
    assert search.model.rowCount() == 0


def test_hits_model_passes_the_model_tester(qtmodeltester):
    model = HitsModel()
    model.set_hits([Hit("client", 1, "Zarina", "+998"), Hit("invoice", 2, "INV-1", "")])
    qtmodeltester.check(model)


# --- the first-run dialog -----------------------------------------------------------------------


@pytest.fixture
def first_run(qtbot, ops) -> FirstRunDialog:
    dialog = FirstRunDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled())
    return dialog


def test_first_run_saves_the_company_name_currency_and_office_language(qtbot, first_run, sqlite_ctx):
    assert not company.is_set_up(sqlite_ctx)
    assert first_run.language.currentData() == "en"  # the office's language starts as the window's
    qtbot.keyClicks(first_run.name, "Samarqand Travel")
    first_run.currency.setCurrentIndex(first_run.currency.findData("UZS"))
    first_run.language.setCurrentIndex(first_run.language.findData("ru"))
    with qtbot.waitSignal(first_run.accepted):
        qtbot.keyClick(first_run.name, Qt.Key.Key_Return)  # Enter saves
    profile = company.get(sqlite_ctx)
    assert (profile.name, profile.default_currency, profile.language) == ("Samarqand Travel", "UZS", "ru")
    assert company.is_set_up(sqlite_ctx)
    # the starting pipeline, untouched, now speaks the office's language
    assert [p.name for p in pipelines.list_pipelines(sqlite_ctx)] == [i18n.gettext("Sales", "ru")]
    with sqlite_ctx.read() as s:
        assert s.query(AuditEntry).filter(AuditEntry.entity == "company_profile").count() == 1


def test_first_run_refuses_an_empty_name_next_to_the_field(qtbot, first_run, sqlite_ctx):
    first_run.currency.setCurrentIndex(first_run.currency.findData("AZN"))
    qtbot.keyClicks(first_run.name, "   ")
    qtbot.mouseClick(first_run.save_button, Qt.MouseButton.LeftButton)
    assert first_run.isVisible() and first_run.errors["name"].isVisible()
    assert "company name" in first_run.errors["name"].text()
    assert first_run.currency.currentData() == "AZN"  # what was chosen stays
    assert not first_run.ops.busy and not company.is_set_up(sqlite_ctx)
    qtbot.keyClicks(first_run.name, "Baku Tours")
    assert not first_run.errors["name"].isVisible()  # typing clears the message


def test_first_run_keeps_the_form_when_the_profile_changed_meanwhile(qtbot, first_run, sqlite_ctx):
    company.update(sqlite_ctx, expected_version=company.get(sqlite_ctx).version, name="Set up on another PC")
    qtbot.keyClicks(first_run.name, "Samarqand Travel")
    qtbot.mouseClick(first_run.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: first_run.message.isVisible())
    assert first_run.isVisible() and first_run.name.text() == "Samarqand Travel"
    assert company.get(sqlite_ctx).name == "Set up on another PC"


def test_the_currency_chosen_at_first_run_is_the_one_new_deals_and_invoices_start_in_at_once(
    qtbot, sqlite_ctx, paths, reporter
):
    window = build_main_window(sqlite_ctx, paths, reporter)
    qtbot.addWidget(window)
    window.show()
    window.start()
    for key in ("deals", "invoices"):
        window.page(key)
    qtbot.waitUntil(lambda: window.ready and getattr(window, "first_run", None) is not None)
    first_run = window.first_run
    qtbot.waitUntil(first_run.save_button.isEnabled)
    qtbot.keyClicks(first_run.name, "Samarqand Travel")
    first_run.currency.setCurrentIndex(first_run.currency.findData("UZS"))
    with qtbot.waitSignal(first_run.accepted):
        qtbot.mouseClick(first_run.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.ready)

    deals_view = window.page("deals")
    deals_view.new_deal()
    assert deals_view.dialog.currency.currentData() == "UZS"
    deals_view.dialog.close()
    invoices_view = window.page("invoices")
    invoices_view.new_invoice()
    assert invoices_view.editor.currency_combo.currentData() == "UZS"
    invoices_view.editor.close()
    assert window.windowTitle().endswith("Samarqand Travel")
