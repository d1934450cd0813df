"""Help → Getting started: the illustrated page shipped with the app, in a window of its own.

The pages live in resources/help as `<name>.<language>.html` (getting_started.en.html, later .ru, .uz …)
with their pictures in resources/help/images; they are found through the package's data, as the fonts
and the icon are, so a wheel or a bundle shows them as a checkout does. The reader's language is taken
when its page exists, English otherwise. `python tools/screenshots.py --help-images` renders the pictures
again from the demo office when the window changes.

The window is not modal and has no parent window: a form open over the main window (window-modal, as
every dialog of the app is) would otherwise block it too, and the page is read while doing the steps.
It closes and goes with the main window it was opened from.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtCore import QEvent, QLocale, QObject, QSize, Qt, QUrl
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

GETTING_STARTED = "getting_started"
FALLBACK_LANGUAGE = "en"
WANTED_SIZE = QSize(880, 620)  # room for the pictures (at most 760 px wide) beside the text
SCREEN_MARGIN = 40  # left free around the window on a small screen (title bar, task bar)


def help_dir() -> Path:
    """resources/help as the app finds it: in the checkout, the installed package or the bundle."""
    return Path(str(resources.files("crm_desktop.resources") / "help"))


def language_of(language: str | None = None) -> str:
    """ "ru" of "ru", "ru_RU" or "ru-RU"; the system's language when none is given."""
    name = language or QLocale().name()
    return name.replace("-", "_").split("_")[0].lower()


def page_path(name: str = GETTING_STARTED, language: str | None = None) -> Path:
    """The page `name` in the reader's language, or in English when there is none in theirs."""
    folder = help_dir()
    for candidate in dict.fromkeys((language_of(language), FALLBACK_LANGUAGE)):
        path = folder / f"{name}.{candidate}.html"
        if path.is_file():
            return path
    raise FileNotFoundError(folder / f"{name}.{FALLBACK_LANGUAGE}.html")


def shipped_pages() -> list[Path]:
    """Every help page shipped, in every language."""
    return sorted(help_dir().glob("*.html"))


class HelpWindow(QWidget):
    def __init__(self, page: Path, owner: QWidget | None = None):
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("help")
        self.setWindowTitle(self.tr("Getting started — CRM Desktop"))
        # Left open when the main window closes, it must not keep the app running.
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.folder = page.parent
        self.browser = QTextBrowser()
        self.browser.setObjectName("help_text")
        # Links are followed here (follow), never handed to a web browser or another program.
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.anchorClicked.connect(self.follow)
        self.browser.setSearchPaths([str(self.folder), str(self.folder / "images")])
        self.browser.setSource(QUrl.fromLocalFile(str(page)))
        self.browser.document().setDocumentMargin(12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.close)
        self.owner = owner
        if owner is not None:
            owner.installEventFilter(self)
            owner.destroyed.connect(self.deleteLater)
        self._fit()

    def page(self) -> Path:
        return Path(self.browser.source().toLocalFile())

    def follow(self, url: QUrl) -> None:
        """A link to a section or to another help page opens here; anything else (a web address, a file
        elsewhere) is not followed."""
        target = self.browser.source().resolved(url)
        if not target.isLocalFile():
            return
        path = Path(target.toLocalFile())
        if path.parent == self.folder and path.suffix == ".html" and path.is_file():
            self.browser.setSource(target)  # the same page: only scrolls to the section

    def _fit(self) -> None:
        """As large as the page wants, within the free area of the screen (a 1280×720 laptop too),
        over the middle of the main window."""
        anchor = self.owner if self.owner is not None else self
        screen = anchor.screen() or QGuiApplication.primaryScreen()
        free = screen.availableGeometry()
        self.resize(
            min(WANTED_SIZE.width(), free.width() - 2 * SCREEN_MARGIN),
            min(WANTED_SIZE.height(), free.height() - 2 * SCREEN_MARGIN),
        )
        middle = (self.owner.frameGeometry() if self.owner is not None else free).center()
        corner = middle - self.rect().center()
        # the margin also leaves room for the frame, not known before the window is first shown
        left = max(free.left(), min(corner.x(), free.right() - self.width() - SCREEN_MARGIN))
        top = max(free.top(), min(corner.y(), free.bottom() - self.height() - SCREEN_MARGIN))
        self.move(left, top)

    def show_in_front(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.owner and event.type() == QEvent.Type.Close:
            self.close()
        return super().eventFilter(watched, event)
