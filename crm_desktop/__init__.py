"""CRM Desktop: clients, deals, tasks and invoices for small service offices."""

__version__ = "0.1.0"
APP_NAME = "CRM Desktop"
APP_ID = "crm-desktop"
