"""The task calendar: Month, Week, Day and Agenda views of the tasks due in a period."""

from crm_desktop.ui.calendar.view import CalendarView

__all__ = ["CalendarView"]
