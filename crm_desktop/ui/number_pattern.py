"""How a kind of document is numbered, chosen from parts: a prefix, the year (and what follows it), how many
digits the running number has, a suffix — with the next number it gives shown as the parts change.

What is stored stays the pattern the services read (services/numbering.py, e.g. INV-{year}-{seq:05d}): the
parts are read from it when the form opens and written back into it on save. A pattern the parts cannot
express (the year after the running number, other text between them) is never rewritten behind the user's
back: it is kept and shown as it is, under "Other pattern", until the user chooses to build one from parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n import fill, ngettext
from crm_desktop.services import numbering
from crm_desktop.services.errors import ValidationError
from crm_desktop.ui.form_dialog import ERROR_STYLE, grow_to_fit

SEPARATORS = ("-", "/", ".", "_", " ", "")  # what may stand between the year and the running number
MAX_DIGITS = 9  # numbering._FIELD: {seq:01d} to {seq:09d}
MAX_PATTERN = 40  # numbering.check_pattern
MAX_TEXT = 24  # prefix or suffix; with the year and five digits, room is left for 24 in all
_TEXT = "[^{}]*"  # braces are the pattern's own; the parts never hold one
_SEQ = r"\{seq(?::0([1-9])d)?\}"
_BUILT = re.compile(
    rf"({_TEXT}?)(?:\{{year\}}({'|'.join(map(re.escape, SEPARATORS))}))?{_SEQ}({_TEXT})", re.DOTALL
)


@dataclass(frozen=True)
class Parts:
    prefix: str = ""
    with_year: bool = True
    separator: str = "-"
    digits: int = 5
    suffix: str = ""

    def pattern(self) -> str:
        year = f"{{year}}{self.separator}" if self.with_year else ""
        seq = "{seq}" if self.digits == 1 else f"{{seq:0{self.digits}d}}"
        return f"{self.prefix}{year}{seq}{self.suffix}"


def parts_of(pattern: str) -> Parts | None:
    """The parts `pattern` is made of, or None when they cannot express it."""
    m = _BUILT.fullmatch(pattern)
    if m is None:
        return None
    prefix, separator, digits, suffix = m.groups()
    with_year = separator is not None
    parts = Parts(prefix, with_year, separator if with_year else "-", int(digits or 1), suffix)
    return parts if max(len(prefix), len(suffix)) <= MAX_TEXT else None


def _guess(pattern: str) -> Parts:
    """Parts close to a pattern they cannot express: where its running number and year stood."""
    seq = re.search(_SEQ, pattern)
    return Parts(
        prefix=pattern.split("{", 1)[0][:MAX_TEXT],
        with_year="{year}" in pattern,
        digits=int(seq.group(1) or 1) if seq else 5,
    )


class NumberPatternEdit(QWidget):
    """One kind's numbering; `value()` is the pattern to store (FormDialog reads it to know of changes)."""

    changed = Signal()

    def __init__(self, pattern: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.loaded = pattern
        self.loaded_parts = parts_of(pattern)
        self.year: int | None = None  # with the next running number, once read (set_next)
        self.next_seq: int | None = None
        self._without_year: bool | None = None  # as the note last said
        self.other_mode = False  # the pattern is shown as it is, under "Other pattern", not as parts
        no_braces = QRegularExpressionValidator(QRegularExpression(_TEXT), self)

        self.prefix = QLineEdit()
        self.prefix.setPlaceholderText(self.tr("Prefix"))
        self.prefix.setToolTip(self.tr("Text the number starts with, e.g. INV-"))
        self.with_year = QCheckBox(self.tr("Year"))
        self.with_year.setToolTip(self.tr("The year of issue, after the prefix"))
        self.separator = QComboBox()
        self.separator.setToolTip(self.tr("What stands between the year and the running number"))
        for mark in SEPARATORS:
            self.separator.addItem({" ": self.tr("space"), "": self.tr("nothing")}.get(mark, mark), mark)
        self.digits = QComboBox()
        self.digits.setToolTip(self.tr("How the running number is written: the first of the year is shown"))
        for count in range(1, MAX_DIGITS + 1):
            self.digits.addItem("1".zfill(count), count)
        self.suffix = QLineEdit()
        self.suffix.setPlaceholderText(self.tr("Suffix"))
        self.suffix.setToolTip(self.tr("Text after the running number (optional)"))
        for edit, name in ((self.prefix, self.tr("Prefix")), (self.suffix, self.tr("Suffix"))):
            edit.setValidator(no_braces)
            edit.setMaxLength(MAX_TEXT)
            edit.setAccessibleName(name)
        self.separator.setAccessibleName(self.tr("After the year"))
        self.digits.setAccessibleName(self.tr("Running number"))

        for combo in (self.separator, self.digits):
            combo.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.parts_row = QWidget()
        row = QHBoxLayout(self.parts_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.prefix, 2)
        row.addWidget(self.with_year)
        row.addWidget(self.separator)
        row.addWidget(self.digits)
        row.addWidget(self.suffix, 1)

        # A pattern the parts cannot express: kept, shown and editable as it is.
        self.other = QLineEdit(pattern)
        self.other.setMaxLength(MAX_PATTERN)
        self.other.setAccessibleName(self.tr("Other pattern"))
        self.other_label = QLabel(self.tr("Other pattern:"))
        self.other_label.setBuddy(self.other)
        self.switch_button = QPushButton()
        self.switch_button.setAutoDefault(False)  # Enter saves the form, it never switches modes
        self.switch_button.clicked.connect(self.switch)
        self.other_row = QWidget()
        other = QHBoxLayout(self.other_row)
        other.setContentsMargins(0, 0, 0, 0)
        other.addWidget(self.other_label)
        other.addWidget(self.other, 1)

        self.preview = QLabel()
        self.preview.setObjectName("preview")
        self.year_note = QLabel(
            self.tr(
                "Each kind counts from 1 every year: without the year, next year's numbers "
                "would repeat this year's."
            )
        )
        self.year_note.setWordWrap(True)
        self.year_note.setStyleSheet("color: #92400e;")

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.parts_row, 0, 0)
        grid.addWidget(self.other_row, 1, 0)
        grid.addWidget(self.switch_button, 0, 1, 2, 1)
        column = QVBoxLayout()
        column.setSpacing(0)
        column.addWidget(self.preview)
        column.addWidget(self.year_note)
        grid.addLayout(column, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)

        self.set_parts(self.loaded_parts or _guess(pattern))
        self.set_other_mode(self.loaded_parts is None)
        for signal in (
            self.prefix.textChanged,
            self.with_year.toggled,
            self.separator.currentIndexChanged,
            self.digits.currentIndexChanged,
            self.suffix.textChanged,
            self.other.textChanged,
        ):
            signal.connect(self._changed)
        self._show()

    # --- the parts ---

    def parts(self) -> Parts:
        return Parts(
            self.prefix.text(),
            self.with_year.isChecked(),
            self.separator.currentData(),
            self.digits.currentData(),
            self.suffix.text(),
        )

    def set_parts(self, parts: Parts) -> None:
        self.prefix.setText(parts.prefix)
        self.with_year.setChecked(parts.with_year)
        self.separator.setCurrentIndex(max(self.separator.findData(parts.separator), 0))
        self.digits.setCurrentIndex(self.digits.findData(parts.digits))
        self.suffix.setText(parts.suffix)

    def set_other_mode(self, other: bool) -> None:
        self.other_mode = other
        self.other_row.setVisible(other)
        self.parts_row.setVisible(not other)
        self.setFocusProxy(self.other if other else self.prefix)  # where a refusal puts the focus
        # Only a pattern the parts cannot express can be gone back to; any other is the parts.
        self.switch_button.setVisible(self.loaded_parts is None)
        self.switch_button.setText(
            self.tr("Build from parts") if other else self.tr("Keep the other pattern")
        )

    def switch(self) -> None:
        self.set_other_mode(not self.other_mode)
        self.focusProxy().setFocus()
        self._changed()

    # --- what is stored ---

    def value(self) -> str:
        """The pattern to store: the one read, to the character, while the parts still say the same."""
        if self.other_mode:
            return self.other.text()
        parts = self.parts()
        return self.loaded if parts == self.loaded_parts else parts.pattern()

    def problem(self) -> str:
        """Why the parts make no pattern the services take ("" when they do): they are too long together.
        A pattern typed under "Other pattern" is the services' to judge."""
        excess = len(self.value()) - MAX_PATTERN
        if self.other_mode or excess <= 0:
            return ""
        return fill(
            ngettext(
                "Shorten the prefix or the suffix by {n} character: the number would be too long.",
                "Shorten the prefix or the suffix by {n} characters: the number would be too long.",
                excess,
            ),
            n=excess,
        )

    def set_next(self, year: int, seq: int) -> None:
        """The year of issue and the running number the next document of this kind takes."""
        self.year, self.next_seq = year, seq
        self._show()

    def next_number(self) -> str | None:
        """The number the next document gets with the pattern as it stands; None if it is no pattern."""
        if self.year is None or self.next_seq is None:
            return None
        try:
            pattern = numbering.check_pattern("pattern", self.value())
        except ValidationError:
            return None
        return numbering.format_number(pattern, self.year, self.next_seq)

    def _changed(self) -> None:
        self._show()
        self.changed.emit()

    def _show(self) -> None:
        self.separator.setEnabled(self.with_year.isChecked())
        number = self.next_number()
        problem = self.problem()
        self.preview.setStyleSheet(ERROR_STYLE if problem else "")
        if problem:
            self.preview.setText(problem)
        elif number is not None:
            self.preview.setText(fill(self.tr("Next number: {number}"), number=number))
        elif self.next_seq is None:
            self.preview.setText(self.tr("Next number: …"))
        else:
            self.preview.setText(self.tr("Next number: — the pattern is not complete"))
        without_year = "{year}" not in self.value()
        self.year_note.setVisible(without_year)
        if without_year != self._without_year:
            self._without_year = without_year
            grow_to_fit(self.window())  # the note is shown whole, not squeezed between the rows
