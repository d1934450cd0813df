"""A refused save's messages fit in the form: each under its field, the dialog grown to show them, its
buttons in sight, on a small screen too. (Other behaviour of the forms is tested with the forms.)"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect

from crm_desktop.services import users
from crm_desktop.ui.clients.form import ClientForm


def rect_in(widget, form) -> QRect:
    return QRect(widget.mapTo(form, QPoint(0, 0)), widget.size())


def test_error_lines_sit_under_their_fields_and_the_form_grows_to_keep_its_buttons_in_sight(
    qtbot, ops, sqlite_ctx
):
    form = ClientForm(ops, users.list_users(sqlite_ctx))
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    height_before = form.height()
    field_heights = {key: field.height() for key, field in form.fields.items() if field.isVisible()}
    form.name.setText("Aziz Karimov")
    form.company.setText("No Such Company Ltd")  # not picked from the list: refused before any save
    form.save()
    company_error = form.errors["company_id"]
    qtbot.waitUntil(company_error.isVisible)
    form.company.setText("")
    form.emails.setPlainText("aziz@@example")
    form.save()
    email_error = form.errors["emails"]
    qtbot.waitUntil(lambda: email_error.isVisible() and not ops.busy)

    assert form.height() > height_before
    whole = form.rect()
    for error, field in ((email_error, form.emails),):
        assert rect_in(error, form).top() >= rect_in(field, form).bottom()  # under it, never over it
        assert whole.contains(rect_in(error, form))
    assert whole.contains(rect_in(form.buttons, form))
    assert {key: form.fields[key].height() for key in field_heights} == field_heights  # none squeezed
    assert form.isVisible()  # the input stays for the user to fix
    assert form.emails.toPlainText() == "aziz@@example"
