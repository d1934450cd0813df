"""Reminders in the app: the one timer that knows when the next is due, and the window they pop up in."""

from crm_desktop.ui.reminders.popup import ReminderWindow
from crm_desktop.ui.reminders.scheduler import ReminderScheduler

__all__ = ["ReminderScheduler", "ReminderWindow"]
