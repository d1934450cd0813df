"""Settings → Company details: what goes on documents, a logo picked from a file, the total in words
and the number patterns, saved together; a bad value is named next to its field and nothing is lost."""

from __future__ import annotations

from io import BytesIO

from PIL import Image

from crm_desktop.services import company


def open_dialog(qtbot, window):
    window.edit_company()
    qtbot.waitUntil(
        lambda: getattr(window, "company_dialog", None) is not None and window.company_dialog.isVisible()
    )
    return window.company_dialog


def test_details_logo_words_and_patterns_are_saved_together(qtbot, open_window, sqlite_ctx, tmp_path):
    window = open_window()
    dialog = open_dialog(qtbot, window)
    assert dialog.patterns["invoice_number_pattern"].text() == "INV-{year}-{seq:05d}"
    assert dialog.logo_preview.text() == "No logo" and not dialog.remove_logo_button.isVisible()
    picture = tmp_path / "logo.png"
    Image.new("RGB", (300, 100), "navy").save(picture)
    dialog.load_logo(picture)
    assert dialog.logo_preview.pixmap().width() == 180 and dialog.remove_logo_button.isVisible()
    dialog.tax_id.setText("305123456")
    dialog.bank_details.setPlainText("Kapitalbank\nAccount 2020 8000 1234")
    dialog.words.setCurrentIndex(dialog.words.findData("uz"))
    dialog.patterns["invoice_number_pattern"].setText("INV-{year}")  # no running number
    dialog.save()
    qtbot.waitUntil(lambda: dialog.errors["invoice_number_pattern"].isVisible())
    assert "{seq}" in dialog.errors["invoice_number_pattern"].text()
    assert dialog.tax_id.text() == "305123456" and company.get(sqlite_ctx).tax_id == ""  # kept, not saved
    dialog.patterns["invoice_number_pattern"].setText("F-{year}/{seq:04d}")
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
