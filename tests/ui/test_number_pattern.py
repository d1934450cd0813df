"""A number pattern chosen from parts: read from the stored pattern, written back as one the services take,
the next number shown as the parts change, and a pattern the parts cannot express kept as it is."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from crm_desktop.services import numbering
from crm_desktop.ui.number_pattern import MAX_TEXT, SEPARATORS, NumberPatternEdit, Parts, parts_of


@pytest.mark.parametrize(
    ("pattern", "parts"),
    [
        ("INV-{year}-{seq:05d}", Parts("INV-", True, "-", 5, "")),
        ("F-{year}/{seq:04d}", Parts("F-", True, "/", 4, "")),
        ("{year}{seq:03d}", Parts("", True, "", 3, "")),
        ("INV {seq}", Parts("INV ", False, "-", 1, "")),
        ("No. {year}.{seq:06d}/K", Parts("No. ", True, ".", 6, "/K")),
    ],
)
def test_a_pattern_is_read_into_its_parts(pattern, parts):
    assert parts_of(pattern) == parts


@pytest.mark.parametrize(
    "pattern",
    ["{seq:05d}/{year}", "INV-{year}-A-{seq:05d}", "{year}-{seq}-{year}", "{seq}{seq}", "A" * 25 + "{seq}"],
)
def test_a_pattern_the_parts_cannot_express_is_not_read_into_them(pattern):
    assert parts_of(pattern) is None


brace_free = st.text(
    st.characters(blacklist_characters="{}", blacklist_categories=("Cs",)), max_size=MAX_TEXT
)


@given(
    prefix=brace_free,
    with_year=st.booleans(),
    separator=st.sampled_from(SEPARATORS),
    digits=st.integers(1, 9),
    suffix=brace_free,
    year=st.integers(2000, 2099),
    seq=st.integers(1, 10**6),
)
def test_parts_make_a_pattern_that_reads_back_and_numbers_as_they_say(
    prefix, with_year, separator, digits, suffix, year, seq
):
    parts = Parts(prefix, with_year, separator if with_year else "-", digits, suffix)
    pattern = parts.pattern()
    assert parts_of(pattern) == parts
    expected = prefix + (f"{year}{separator}" if with_year else "") + str(seq).zfill(digits) + suffix
    assert numbering.format_number(pattern, year, seq) == expected


@pytest.fixture
def make(qtbot):
    def make_(pattern: str) -> NumberPatternEdit:
        edit = NumberPatternEdit(pattern)
        qtbot.addWidget(edit)
        edit.show()
        qtbot.waitUntil(edit.isActiveWindow)
        return edit

    return make_


def test_the_next_number_follows_every_part(qtbot, make):
    edit = make("INV-{year}-{seq:05d}")
    assert edit.preview.text() == "Next number: …"  # until the count is read
    edit.set_next(2026, 43)
    assert (edit.prefix.text(), edit.with_year.isChecked(), edit.digits.currentText()) == (
        "INV-",
        True,
        "00001",
    )
    assert edit.preview.text() == "Next number: INV-2026-00043" and not edit.other_row.isVisible()
    edit.prefix.clear()
    qtbot.keyClicks(edit.prefix, "F{/")  # a brace means nothing to a user: it is not taken
    assert edit.prefix.text() == "F/"
    edit.separator.setCurrentIndex(edit.separator.findData("/"))
    edit.digits.setCurrentIndex(edit.digits.findData(3))
    qtbot.keyClicks(edit.suffix, "-K")
    assert edit.preview.text() == "Next number: F/2026/043-K"
    assert edit.value() == "F/{year}/{seq:03d}-K" and not edit.year_note.isVisible()
    qtbot.mouseClick(edit.with_year, Qt.MouseButton.LeftButton)
    assert edit.preview.text() == "Next number: F/043-K" and not edit.separator.isEnabled()
    assert edit.year_note.isVisible()  # without the year the numbers would repeat next year
    edit.digits.setCurrentIndex(edit.digits.findData(1))
    assert edit.value() == "F/{seq}-K" and edit.preview.text() == "Next number: F/43-K"


def test_an_untouched_pattern_is_written_back_to_the_character(make):
    edit = make("N{year}{seq:01d}")  # the parts would write {seq}: the same numbers, another text
    edit.set_next(2026, 7)
    assert edit.value() == "N{year}{seq:01d}" and edit.preview.text() == "Next number: N20267"


def test_parts_too_long_together_are_refused_in_words(qtbot, make):
    edit = make("INV-{year}-{seq:05d}")
    edit.prefix.setText("P" * MAX_TEXT)
    edit.suffix.setText("S" * 3)
    assert edit.problem() == "Shorten the prefix or the suffix by 3 characters: the number would be too long."
    assert edit.preview.text() == edit.problem()
    edit.suffix.clear()
    assert edit.problem() == "" and len(edit.value()) == 40


def test_a_pattern_the_parts_cannot_express_is_kept_and_can_be_built_from_parts(qtbot, make):
    edit = make("{seq:05d}/{year}")
    edit.set_next(2026, 4)
    assert edit.other_row.isVisible() and not edit.parts_row.isVisible()
    assert edit.other.text() == "{seq:05d}/{year}" and edit.value() == "{seq:05d}/{year}"
    assert edit.preview.text() == "Next number: 00004/2026"
    edit.other.setText("{seq:05d}/{year")
    assert edit.preview.text() == "Next number: — the pattern is not complete"
    edit.other.setText("{seq:05d}/{year}")
    with qtbot.waitSignal(edit.changed):
        qtbot.mouseClick(edit.switch_button, Qt.MouseButton.LeftButton)  # Build from parts
    assert edit.parts_row.isVisible() and not edit.other_row.isVisible() and edit.prefix.hasFocus()
    assert edit.value() == "{year}-{seq:05d}" and edit.preview.text() == "Next number: 2026-00004"
    assert edit.switch_button.text() == "Keep the other pattern"
    qtbot.mouseClick(edit.switch_button, Qt.MouseButton.LeftButton)
    assert edit.value() == "{seq:05d}/{year}"


def test_a_pattern_the_parts_express_offers_no_other_pattern(make):
    edit = make("QUO-{year}-{seq:05d}")
    assert not edit.switch_button.isVisible() and not edit.other_row.isVisible()
