"""The invoices workspace: the list with status filters and totals, and the draft editor."""

from crm_desktop.ui.invoices.editor import InvoiceEditor
from crm_desktop.ui.invoices.view import InvoicesView

__all__ = ["InvoiceEditor", "InvoicesView"]
