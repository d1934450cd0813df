"""The company's details as a view uses them, kept current: saved here (Company details, the first-run
questions) or on another PC, a setting such as the default currency applies at once everywhere."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from crm_desktop.services import company
from crm_desktop.services.company import CompanyRow
from crm_desktop.services.context import Changes
from crm_desktop.ui.ops import Ops


class CompanyWatch(QObject):
    arrived = Signal(object)  # CompanyRow, at start and after every change

    def __init__(self, ops: Ops, parent: QObject | None = None):
        super().__init__(parent)
        self.ops = ops
        self.profile: CompanyRow | None = None
        self._asked = (
            False  # the first read is asked for: a watch shared by the window and its pages reads once
        )
        ops.changed.connect(self._changed)

    def start(self) -> None:
        if not self._asked:
            self._read()

    def _read(self) -> None:
        self._asked = True
        self.ops.read(company.get, on_done=self._arrived)

    @property
    def default_currency(self) -> str:
        return self.profile.default_currency if self.profile is not None else company.DEFAULT_CURRENCY

    def _changed(self, changes: Changes) -> None:
        if "company_profile" in changes.tables:
            self._read()

    def _arrived(self, profile: CompanyRow) -> None:
        self.profile = profile
        self.arrived.emit(profile)
