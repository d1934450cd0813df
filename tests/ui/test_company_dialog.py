"""Settings → Company details: what goes on documents, a logo picked from a file, the total in words
and the numbering chosen from parts, saved together; a bad value is named next to its field and nothing
is lost."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox

from crm_desktop.services import clients, company, documents, invoices
from crm_desktop.services.invoices import LineValues


def open_dialog(qtbot, window):
    window.edit_company()
    qtbot.waitUntil(
        lambda: getattr(window, "company_dialog", None) is not None and window.company_dialog.isVisible()
    )
    return window.company_dialog


def test_details_logo_words_and_patterns_are_saved_together(qtbot, open_window, sqlite_ctx, tmp_path):
    window = open_window()
    dialog = open_dialog(qtbot, window)
    numbers = dialog.patterns["invoice_number_pattern"]
    assert numbers.value() == "INV-{year}-{seq:05d}" and numbers.prefix.text() == "INV-"
    assert "{" not in "".join(label.text() for label in dialog.findChildren(QLabel) if label.isVisible())
    assert dialog.logo_preview.text() == "No logo" and not dialog.remove_logo_button.isVisible()
    picture = tmp_path / "logo.png"
    Image.new("RGB", (300, 100), "navy").save(picture)
    dialog.load_logo(picture)
    assert dialog.logo_preview.pixmap().width() == 180 and dialog.remove_logo_button.isVisible()
    dialog.tax_id.setText("305123456")
    dialog.bank_details.setPlainText("Kapitalbank\nAccount 2020 8000 1234")
    dialog.words.setCurrentIndex(dialog.words.findData("uz"))
    numbers.prefix.setText("F-" + "x" * 22)
    numbers.suffix.setText("/A")  # the parts too long together: said in words, nothing saved
    dialog.save()
    assert dialog.errors["invoice_number_pattern"].isVisible() and numbers.prefix.hasFocus()
    assert dialog.errors["invoice_number_pattern"].text().startswith("Shorten the prefix or the suffix by 2 ")
    assert dialog.tax_id.text() == "305123456" and company.get(sqlite_ctx).tax_id == ""  # kept, not saved
    numbers.prefix.setText("F-")
    numbers.suffix.clear()
    numbers.separator.setCurrentIndex(numbers.separator.findData("/"))
    numbers.digits.setCurrentIndex(numbers.digits.findData(4))
    qtbot.waitUntil(lambda: numbers.preview.text() == "Next number: F-2026/0001")
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    stored = company.get(sqlite_ctx, logo=True)
    assert (
        stored.tax_id,
        stored.bank_details,
        stored.amount_words_language,
        stored.invoice_number_pattern,
    ) == ("305123456", "Kapitalbank\nAccount 2020 8000 1234", "uz", "F-{year}/{seq:04d}")
    assert stored.logo == picture.read_bytes()


def test_a_file_that_is_no_picture_is_refused_next_to_the_logo(qtbot, open_window, sqlite_ctx, tmp_path):
    window = open_window()
    dialog = open_dialog(qtbot, window)
    fake = tmp_path / "logo.png"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really" * 20)
    dialog.load_logo(fake)
    assert dialog.logo_preview.text() == "Not a picture"
    dialog.save()
    qtbot.waitUntil(lambda: dialog.errors["logo"].isVisible())
    assert "damaged" in dialog.errors["logo"].text() and dialog.isVisible()
    dialog.set_logo(None)
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    assert company.get(sqlite_ctx, logo=True).logo is None


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (10, 10), "red").save(out, "PNG")
    return out.getvalue()


def test_a_stored_logo_is_shown_and_can_be_removed(qtbot, open_window, sqlite_ctx):
    window = open_window()
    profile = company.get(sqlite_ctx)
    company.update(sqlite_ctx, expected_version=profile.version, logo=_png())
    dialog = open_dialog(qtbot, window)
    assert not dialog.logo_preview.pixmap().isNull()
    dialog.remove_logo_button.click()
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    assert company.get(sqlite_ctx, logo=True).logo is None


def issued_invoices(ctx, count: int) -> None:
    client = clients.create(ctx, name="Samarqand Travel", kind="company")
    for _ in range(count):
        draft = invoices.create_draft(ctx, client_id=client.id, lines=[LineValues("Tour", 1, "", "100")])
        documents.issue(ctx, draft.id, expected_version=draft.version)


def test_each_kind_shows_the_number_its_next_document_takes(qtbot, open_window, sqlite_ctx):
    issued_invoices(sqlite_ctx, 2)
    assert documents.next_number(sqlite_ctx, "invoice") == "INV-2026-00003"
    window = open_window()
    dialog = open_dialog(qtbot, window)
    invoice, quote = dialog.patterns["invoice_number_pattern"], dialog.patterns["quote_number_pattern"]
    qtbot.waitUntil(lambda: invoice.preview.text() == "Next number: INV-2026-00003")
    assert quote.preview.text() == "Next number: QUO-2026-00001"
    qtbot.mouseClick(invoice.with_year, Qt.MouseButton.LeftButton)  # as the user changes a part
    assert invoice.preview.text() == "Next number: INV-00003" and invoice.year_note.isVisible()
    assert dialog.height() >= dialog.sizeHint().height()  # grown to show the note whole
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    assert company.get(sqlite_ctx).invoice_number_pattern == "INV-{seq:05d}"
    assert documents.next_number(sqlite_ctx, "invoice", date(2026, 12, 1)) == "INV-00003"  # as it said


def test_a_pattern_the_parts_cannot_express_is_kept_as_it_is(qtbot, open_window, sqlite_ctx):
    profile = company.get(sqlite_ctx)
    company.update(sqlite_ctx, expected_version=profile.version, quote_number_pattern="{seq:04d}/{year}")
    window = open_window()
    dialog = open_dialog(qtbot, window)
    quote = dialog.patterns["quote_number_pattern"]
    assert quote.other.isVisible() and quote.other.text() == "{seq:04d}/{year}"
    assert not dialog.patterns["invoice_number_pattern"].other.isVisible()  # only where it is needed
    qtbot.waitUntil(lambda: quote.preview.text() == "Next number: 0001/2026")
    quote.other.setText("Q-{year}")  # no running number: the service says so next to it
    dialog.save()
    qtbot.waitUntil(lambda: dialog.errors["quote_number_pattern"].isVisible())
    assert "{seq}" in dialog.errors["quote_number_pattern"].text() and quote.other.text() == "Q-{year}"
    quote.other.setText("{seq:04d}/{year}")
    dialog.phone.setText("+998 71 200 00 00")
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    stored = company.get(sqlite_ctx)
    assert (stored.phone, stored.quote_number_pattern) == ("+998 71 200 00 00", "{seq:04d}/{year}")


def test_closing_after_a_changed_number_part_asks_first(qtbot, open_window, sqlite_ctx):
    window = open_window()
    dialog = open_dialog(qtbot, window)
    credit = dialog.patterns["credit_note_number_pattern"]
    credit.digits.setCurrentIndex(credit.digits.findData(3))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dialog.close_question is not None and dialog.close_question.isVisible())
    qtbot.mouseClick(
        dialog.close_question.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton
    )
    assert dialog.isVisible() and credit.value() == "CN-{year}-{seq:03d}"
    credit.digits.setCurrentIndex(credit.digits.findData(5))  # back as it was: closes without asking
    with qtbot.waitSignal(dialog.finished):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)


def test_the_dialog_fits_a_small_laptop_screen(qtbot, open_window):
    window = open_window()
    dialog = open_dialog(qtbot, window)
    hint = dialog.sizeHint()
    assert hint.width() <= 1280 and hint.height() <= 720 - 60  # a title bar and a taskbar beside it
    assert dialog.height() >= hint.height()  # opened whole, nothing squeezed
