"""The deals workspace: kanban board and list per pipeline, deal form, pipeline editor."""

from crm_desktop.ui.deals.view import DealsView

__all__ = ["DealsView"]
