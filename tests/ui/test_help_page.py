"""Help → Getting started: the page shipped in resources/help, opened from the Help menu or with F1 in a
window of its own, its pictures, its links, its languages, and the package data that carries it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPixmap, QTextDocument
from PySide6.QtWidgets import QApplication

from crm_desktop.ui import help_page
from crm_desktop.ui.help_page import HelpWindow, help_dir, page_path, shipped_pages

ROOT = Path(__file__).resolve().parents[2]
IMG = re.compile(r"<img\s[^>]*src=\"([^\"]+)\"", re.IGNORECASE)
MAX_IMAGE_BYTES = 150 * 1024
MAX_IMAGES_BYTES = 1024 * 1024


def _help_action(window):
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    return next(a for a in help_menu.actions() if a.text() == "&Getting started")


def _help_shown(window) -> bool:
    shown = getattr(window, "help_window", None)
    return shown is not None and shown.isVisible()


def _headings(browser) -> list[str]:
    found, block = [], browser.document().begin()
    while block.isValid():
        if block.blockFormat().headingLevel() == 2:
            found.append(block.text())
        block = block.next()
    return found


def _images_in(document: QTextDocument) -> list[str]:
    """The names of the pictures as the document laid out from the HTML knows them."""
    names, block = [], document.begin()
    while block.isValid():
        for fragment in _fragments(block):
            image = fragment.charFormat().toImageFormat()
            if image.isValid():
                names.append(image.name())
        block = block.next()
    return names


def _fragments(block):
    it = block.begin()
    while not it.atEnd():
        yield it.fragment()
        it += 1


def _as_image(resource) -> QImage:
    if isinstance(resource, QImage):
        return resource
    if isinstance(resource, QPixmap):
        return resource.toImage()
    if isinstance(resource, QByteArray | bytes):
        return QImage.fromData(resource)
    return QImage()


def test_help_getting_started_opens_the_page_with_its_sections_in_a_window_of_its_own(open_window, qtbot):
    window = open_window(all_pages=False)
    _help_action(window).trigger()
    qtbot.waitUntil(
        lambda: getattr(window, "help_window", None) is not None and window.help_window.isVisible()
    )
    shown = window.help_window
    assert shown.page() == page_path(language="en")
    headings = _headings(shown.browser)
    assert 6 <= len(headings) <= 9
    assert headings[0] == "1. Add a client"
    for words in (
        "call or a note",
        "deal",
        "task with a reminder",
        "invoice",
        "payment",
        "reminder",
        "settings",
    ):
        assert any(words in heading for heading in headings), words
    text = shown.browser.toPlainText()
    for name in ("New client", "Log call", "New deal", "New task", "Save and issue", "Record payment…"):
        assert name in text, name
    # Not modal, and no child of the main window: a form open over that window does not block it.
    assert not shown.isModal()
    assert shown.parent() is None
    free = shown.screen().availableGeometry()
    assert free.contains(shown.frameGeometry())
    # fits a 1280×720 laptop with its task bar
    assert help_page.WANTED_SIZE.width() <= 1280 - 2 * help_page.SCREEN_MARGIN
    assert help_page.WANTED_SIZE.height() <= 720 - 2 * help_page.SCREEN_MARGIN


def test_every_picture_of_every_shipped_page_is_a_small_png_the_browser_loads(qtbot):
    pages = shipped_pages()
    assert page_path(language="en") in pages
    for page in pages:
        sources = IMG.findall(page.read_text(encoding="utf-8"))
        assert sources, f"{page.name} has no pictures"
        shown = HelpWindow(page)
        qtbot.addWidget(shown)
        shown.show()
        document = shown.browser.document()
        assert sorted(_images_in(document)) == sorted(sources), page.name  # none lost in the HTML
        for source in sources:
            file = page.parent / source
            assert file.is_file(), f"{page.name}: {source} is missing"
            loaded = _as_image(document.resource(QTextDocument.ResourceType.ImageResource, QUrl(source)))
            assert not loaded.isNull(), f"{page.name}: {source} shows as a broken picture"
            assert loaded.size() == QImage(str(file)).size()
            assert loaded.width() <= 800, source
            assert file.stat().st_size < MAX_IMAGE_BYTES, source
        shown.close()
    assert sum(p.stat().st_size for p in (help_dir() / "images").glob("*.png")) < MAX_IMAGES_BYTES


def test_f1_opens_it_wherever_the_focus_is_in_the_window(open_window, qtbot):
    window = open_window()
    window.activateWindow()
    qtbot.waitActive(window)
    places = (
        (1, lambda: window.clients_view.table),
        (2, lambda: window.deals_view.search),
        (3, lambda: window.calendar_view.new_button),
        (4, lambda: window.global_search.edit),
    )
    for row, focused in places:
        window.nav.setCurrentRow(row)
        focused().setFocus()
        qtbot.waitUntil(lambda focused=focused: QApplication.focusWidget() is focused())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F1)
        qtbot.waitUntil(
            lambda: getattr(window, "help_window", None) is not None and window.help_window.isVisible()
        )
        window.help_window.close()
        qtbot.waitUntil(lambda: not window.help_window.isVisible())
        window.activateWindow()
        qtbot.waitActive(window)


def test_asked_for_again_the_open_window_comes_to_the_front_not_a_second_one(open_window, qtbot):
    window = open_window(all_pages=False)
    first = window.show_getting_started()
    qtbot.waitActive(first)
    window.activateWindow()
    qtbot.waitActive(window)
    _help_action(window).trigger()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is first)
    assert window.help_window is first
    assert [w for w in QApplication.topLevelWidgets() if isinstance(w, HelpWindow)] == [first]
    # Closed, it opens again as it was (the same window, at the same place in the page).
    first.follow(QUrl("#payment"))
    at = first.browser.verticalScrollBar().value()
    assert at > 0
    first.close()
    assert window.show_getting_started() is first
    assert first.isVisible() and first.browser.verticalScrollBar().value() == at


def test_it_closes_with_the_main_window(open_window, qtbot):
    window = open_window(all_pages=False)
    shown = window.show_getting_started()
    qtbot.waitUntil(shown.isVisible)
    window.close()
    assert not shown.isVisible()


def test_links_go_between_sections_and_nothing_outside_the_help_is_followed(qtbot, monkeypatch):
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url))
    shown = HelpWindow(page_path(language="en"))
    qtbot.addWidget(shown)
    shown.show()
    browser = shown.browser
    qtbot.waitUntil(lambda: browser.verticalScrollBar().maximum() > 0)
    # A click on "Record a payment" in the list of sections scrolls to that section.
    cursor = browser.document().find("Record a payment")
    assert cursor.charFormat().anchorHref() == "#payment"
    cursor.setPosition(cursor.selectionStart() + 2)
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=browser.cursorRect(cursor).center())
    qtbot.waitUntil(lambda: browser.source().fragment() == "payment")
    heading = browser.document().find("6. Record a payment")
    assert browser.cursorRect(heading).top() < browser.viewport().height() // 3  # at the top of the view
    page = browser.source()
    for outside in ("https://example.com/help", "mailto:someone@example.com", "file:///etc/passwd"):
        shown.follow(QUrl(outside))
        assert browser.source() == page
    assert opened == []


def test_a_language_without_its_page_falls_back_to_english(tmp_path, monkeypatch, open_window, qtbot):
    english = page_path(language="en")
    assert english.name == "getting_started.en.html"
    assert page_path(language="zz") == english
    assert page_path(language="zz_ZZ") == english
    # The reader's language when its page is there ("ru", "ru_RU" and "ru-RU" alike).
    shutil.copy(english, tmp_path / english.name)
    russian = tmp_path / "getting_started.ru.html"
    russian.write_text("<h2>1. Добавить клиента</h2>", encoding="utf-8")
    monkeypatch.setattr(help_page, "help_dir", lambda: tmp_path)
    assert page_path(language="ru") == page_path(language="ru_RU") == page_path(language="ru-RU") == russian
    assert page_path(language="uz") == tmp_path / english.name
    # The window opens the page of the language chosen in the settings.
    window = open_window(all_pages=False)
    window.app_settings.set("language", "ru")
    assert window.show_getting_started().page() == russian


def test_the_menu_entry_is_listed_among_the_keyboard_shortcuts(open_window):
    window = open_window(all_pages=False)
    dialog = window.show_shortcuts()
    rows = {
        tuple(dialog.list.topLevelItem(i).text(c) for c in range(3))
        for i in range(dialog.list.topLevelItemCount())
    }
    assert ("Everywhere", "F1", "Getting started") in rows
    dialog.close()


def test_the_help_pages_are_found_where_the_app_finds_its_resources():
    from importlib import resources

    assert help_dir() == Path(str(resources.files("crm_desktop.resources") / "help"))
    shipped = {p.relative_to(ROOT / "resources" / "help") for p in (ROOT / "resources" / "help").rglob("*.*")}
    found = {p.relative_to(help_dir()) for p in help_dir().rglob("*.*")}
    assert shipped <= found


@pytest.mark.slow
def test_the_help_pages_and_their_pictures_ship_inside_the_wheel(tmp_path):
    """Built from a copy of the sources (the checkout is left alone), installed in a fresh folder, the
    app's own lookup finds the page and every picture there."""
    source = tmp_path / "src"
    for part in ("crm_desktop", "migrations", "resources"):
        shutil.copytree(ROOT / part, source / part, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / part, source / part)
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    wheel = next(out.glob("crm_desktop-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for page in shipped_pages():
        inside = f"crm_desktop/resources/help/{page.name}"
        assert inside in names
        for picture in IMG.findall(page.read_text(encoding="utf-8")):
            assert f"crm_desktop/resources/help/{picture}" in names, picture
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = (
        "import re, sys; sys.path.insert(0, sys.argv[1]);"
        "from crm_desktop.ui.help_page import page_path, shipped_pages;"
        "page = page_path(language='en');"
        "assert str(page).startswith(sys.argv[1]), page;"
        "missing = [s for p in shipped_pages() for s in re.findall(r'src=\"([^\"]+)\"', p.read_text('utf-8'))"
        " if not (p.parent / s).is_file()];"
        "assert not missing, missing;"
        "print(page.name)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(target)], capture_output=True, text=True, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "getting_started.en.html"
