"""What the dashboard and the reports count: a period (this week, month, quarter, year, or two days typed)
and, for a manager or an administrator, whose figures (a team's or one person's). Remembered per view."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSettings, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from crm_desktop.i18n import fill
from crm_desktop.services import report_scope
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.periods import Period, custom, period_of
from crm_desktop.services.report_scope import Whose
from crm_desktop.services.reports import ReportQuery
from crm_desktop.ui.date_field import DateField
from crm_desktop.ui.dates import day_text
from crm_desktop.ui.form_dialog import error_label
from crm_desktop.ui.ops import Ops

CUSTOM = "custom"
EVERYONE = "everyone"


def tr(text: str) -> str:
    return QCoreApplication.translate("PeriodBar", text)


def period_names() -> list[tuple[str, str]]:
    return [
        (tr("This week"), "week"),
        (tr("This month"), "month"),
        (tr("This quarter"), "quarter"),
        (tr("This year"), "year"),
        (tr("Custom period"), CUSTOM),
    ]


def span_text(period: Period) -> str:
    return f"{day_text(period.first)} – {day_text(period.last)}"


def _key(whose: Whose) -> str:
    """How a choice is remembered between runs."""
    if whose.user_id is not None:
        return f"user:{whose.user_id}"
    return f"team:{whose.team_of}" if whose.team_of is not None else EVERYONE


class PeriodBar(QWidget):
    changed = Signal()  # another period or person chosen (custom days: once both are typed right)

    def __init__(self, ops: Ops, settings: QSettings, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ops, self.settings, self.key = ops, settings, key
        self.kind = QComboBox()
        self.kind.setToolTip(tr("The period the figures are counted for"))
        for name, value in period_names():
            self.kind.addItem(name, value)
        self.kind.setCurrentIndex(max(0, self.kind.findData(settings.value(f"{key}/period", "month"))))
        today = ops.ctx.today()
        self.first = DateField(period_of("month", today).first)
        self.last = DateField(today)
        self.dash = QLabel("–")
        self.span = QLabel()
        self.span.setEnabled(False)  # grey: what the choice means, not a control
        self.problem = error_label("period_problem")
        self.problem.setWordWrap(False)
        self.whose = QComboBox()
        self.whose.setToolTip(tr("Whose figures"))
        self.whose.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.choices: list[Whose] = [
            Whose("")
        ]  # what each of `whose`'s items stands for (the first: everyone)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.kind, self.first, self.dash, self.last, self.span, self.problem):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.whose)
        self.whose.setVisible(ops.ctx.actor.role != "staff")  # staff see their own figures only
        self._show_kind()
        self.kind.currentIndexChanged.connect(self._kind_chosen)
        self.first.entered.connect(self._days_typed)
        self.last.entered.connect(self._days_typed)
        self.whose.currentIndexChanged.connect(self._whose_chosen)

    def start(self) -> None:
        if self.ops.ctx.actor.role != "staff":
            self.ops.read(report_scope.choices, on_done=self._choices_arrived)

    def _choices_arrived(self, found: list[Whose]) -> None:
        wanted = self.settings.value(f"{self.key}/whose", EVERYONE)
        blocked = self.whose.blockSignals(True)
        self.whose.clear()
        self.choices = [Whose("")] + found
        self.whose.addItem(tr("Everyone") if self.ops.ctx.actor.is_admin else tr("My team"))
        for choice in found:
            label = fill(tr("Team: {name}"), name=choice.name) if choice.team_of is not None else choice.name
            self.whose.addItem(label)
        keys = [_key(c) for c in self.choices]
        self.whose.setCurrentIndex(keys.index(wanted) if wanted in keys else 0)
        self.whose.blockSignals(blocked)
        if _key(self.chosen()) != wanted:
            self.changed.emit()  # (the one remembered is gone: everyone's figures now)

    def _show_kind(self) -> None:
        chosen = self.kind.currentData() == CUSTOM
        for widget in (self.first, self.dash, self.last):
            widget.setVisible(chosen)
        self.span.setVisible(not chosen)
        self._say("")
        period = self.period()
        if period is not None and not chosen:
            self.span.setText(span_text(period))

    def _kind_chosen(self) -> None:
        self.settings.setValue(f"{self.key}/period", self.kind.currentData())
        self._show_kind()
        if self.period() is not None:
            self.changed.emit()

    def _days_typed(self) -> None:
        if self.period() is not None:
            self.changed.emit()

    def _whose_chosen(self) -> None:
        self.settings.setValue(f"{self.key}/whose", _key(self.chosen()))
        self.changed.emit()

    def chosen(self) -> Whose:
        index = self.whose.currentIndex()
        return self.choices[index] if 0 <= index < len(self.choices) else self.choices[0]

    def period(self) -> Period | None:
        """The period chosen; None, with what is wrong said beside the days, while they are not right."""
        kind = self.kind.currentData()
        if kind != CUSTOM:
            return period_of(kind, self.ops.ctx.today())
        try:
            found = custom(
                self.first.typed_date(tr("The first day")), self.last.typed_date(tr("The last day"))
            )
        except ValidationError as error:
            self._say(error.message)
            return None
        self._say("")
        return found

    def _say(self, problem: str) -> None:
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))

    def query(self) -> ReportQuery | None:
        period = self.period()
        if period is None:
            return None
        whose = self.chosen()
        return ReportQuery(period, user_id=whose.user_id, team_of=whose.team_of)

    def show_query(self, query: ReportQuery) -> None:
        """Count what `query` asks (a tile's report opens with the dashboard's period and person)."""
        blocked = [w.blockSignals(True) for w in (self.kind, self.whose)]
        today = self.ops.ctx.today()
        kind = next(
            (k for _n, k in period_names() if k != CUSTOM and period_of(k, today) == query.period), CUSTOM
        )
        self.kind.setCurrentIndex(self.kind.findData(kind))
        self.first.set_date(query.period.first)
        self.last.set_date(query.period.last)
        wanted = (
            f"user:{query.user_id}"
            if query.user_id
            else f"team:{query.team_of}"
            if query.team_of
            else EVERYONE
        )
        self.whose.setCurrentIndex(max(0, self.whose.findData(wanted)))
        for widget, was in zip((self.kind, self.whose), blocked, strict=True):
            widget.blockSignals(was)
        self._show_kind()
