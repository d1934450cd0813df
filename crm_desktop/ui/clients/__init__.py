"""The Clients workspace: a searchable, filterable table of clients with the client's card beside it."""

from crm_desktop.ui.clients.view import ClientsView

__all__ = ["ClientsView"]
