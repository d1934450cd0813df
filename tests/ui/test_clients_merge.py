"""Clients → Find duplicates: the groups found, a group's checked clients merged with a name chosen,
the list showing one client; Clients → Undo merge brings the others back; a refused merge is said in
the dialog, which keeps the choices."""

from __future__ import annotations

from PySide6.QtCore import Qt

from crm_desktop.services import clients, deals, documents, invoices
from crm_desktop.services.invoices import LineValues
from crm_desktop.ui.clients.merge import MergeDialog


def _group_names(dialog) -> list[list[str]]:
    tree = dialog.tree
    return [
        [
            tree.topLevelItem(i).child(j).text(0).strip("\u202a\u202c")
            for j in range(tree.topLevelItem(i).childCount())
        ]
        for i in range(tree.topLevelItemCount())
    ]


def test_duplicates_are_found_merged_and_the_merge_undone(qtbot, open_window, sqlite_ctx):
    kept = clients.create(sqlite_ctx, name="Aliyev Vali", phones=["+998 90 123 45 67"])
    other = clients.create(
        sqlite_ctx, name="VALI ALIYEV", phones=["+998901234567"], emails=["vali@example.com"]
    )
    deals.create(sqlite_ctx, client_id=other.id, title="Website", amount="900")
    clients.create(sqlite_ctx, name="Karimov Bekzod", phones=["+998 93 000 11 22"])
    window = open_window()
    qtbot.waitUntil(lambda: window.clients_view.model.total == 3, timeout=10_000)

    dialog = window.find_duplicates()
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1, timeout=10_000)
    assert _group_names(dialog) == [["Aliyev Vali", "VALI ALIYEV"]]
    assert dialog.tree.topLevelItem(0).child(1).text(3) == "same phone"
    dialog.merge_selected()
    qtbot.waitUntil(lambda: isinstance(dialog.merge_dialog, MergeDialog), timeout=10_000)
    merge = dialog.merge_dialog
    assert merge.survivor.currentData() == other.id  # it brings a deal
    merge.fields["name"].setCurrentIndex(merge.fields["name"].findText("Aliyev Vali"))
    qtbot.mouseClick(merge.merge_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 0, timeout=10_000)  # merged: the group goes
    qtbot.waitUntil(lambda: window.clients_view.model.total == 2, timeout=10_000)
    assert "Merged into Aliyev Vali" in window.statusBar().currentMessage()
    survivor = clients.get(sqlite_ctx, other.id)
    assert survivor.name == "Aliyev Vali" and survivor.emails == ["vali@example.com"]

    window._name_undo_merge()
    qtbot.waitUntil(lambda: window.undo_merge_action.text() == "Undo merge into Aliyev Vali", timeout=10_000)
    window.undo_merge_action.trigger()
    qtbot.waitUntil(lambda: window.clients_view.model.total == 3, timeout=10_000)
    assert clients.get(sqlite_ctx, kept.id).name == "Aliyev Vali"
    assert clients.get(sqlite_ctx, other.id).name == "VALI ALIYEV"


def test_a_refused_merge_is_said_in_the_dialog_which_keeps_the_choices(qtbot, open_window, sqlite_ctx):
    for name in ("Toshkent Print", "Toshkent Print"):
        c = clients.create(sqlite_ctx, name=name)
        d = invoices.create_draft(sqlite_ctx, client_id=c.id, lines=[LineValues("Flyers", 1, "", "50")])
        documents.issue(sqlite_ctx, d.id, expected_version=d.version)
    window = open_window()
    dialog = window.find_duplicates()
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1, timeout=10_000)
    dialog.merge_selected()
    qtbot.waitUntil(lambda: isinstance(dialog.merge_dialog, MergeDialog), timeout=10_000)
    merge = dialog.merge_dialog
    qtbot.mouseClick(merge.merge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: merge.problem.isVisible(), timeout=10_000)
    assert "both have issued quotes or invoices" in merge.problem.text()
    assert merge.isVisible() and merge.merge_button.isEnabled()
    assert window.clients_view.model.total == 2
