"""The main window: navigation on the left, the chosen list on the right, where the data lives below."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, QProcess, QSettings, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QSystemTrayIcon,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import APP_NAME, __version__, i18n
from crm_desktop.config import Settings
from crm_desktop.i18n import fill, ngettext
from crm_desktop.services import client_merge, company, overview, users
from crm_desktop.services.context import Changes
from crm_desktop.ui import jobs
from crm_desktop.ui.clients.merge import undo_text
from crm_desktop.ui.company_watch import CompanyWatch
from crm_desktop.ui.confirm import ask_to_confirm
from crm_desktop.ui.global_search import GlobalSearch
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.reminders import ReminderScheduler, ReminderWindow
from crm_desktop.ui.schedule_next import ScheduleNext

# The pages, the dialogs of the menus and their services are imported when first used: a start
# builds only the page it shows, and importing the rest would cost a third of it (issue 13).
if TYPE_CHECKING:
    from crm_desktop.ui.audit_viewer import AuditViewer
    from crm_desktop.ui.calendar import CalendarView
    from crm_desktop.ui.clients import ClientsView
    from crm_desktop.ui.connection_dialog import ConnectionDialog
    from crm_desktop.ui.dashboard.view import DashboardView
    from crm_desktop.ui.deals import DealsView
    from crm_desktop.ui.help_page import HelpWindow
    from crm_desktop.ui.invoices import InvoicesView
    from crm_desktop.ui.live_changes import LiveChanges
    from crm_desktop.ui.reports.view import ReportsView
    from crm_desktop.ui.users_dialog import UsersDialog
    from crm_desktop.ui.work.view import JobsView
    from crm_desktop.ui.workload.view import WorkloadView

NAV_ICONS = {
    "dashboard": QStyle.StandardPixmap.SP_DesktopIcon,
    "clients": QStyle.StandardPixmap.SP_DirHomeIcon,
    "deals": QStyle.StandardPixmap.SP_ArrowForward,  # points left in a right-to-left window
    "tasks": QStyle.StandardPixmap.SP_DialogApplyButton,
    "invoices": QStyle.StandardPixmap.SP_FileIcon,
    "jobs": QStyle.StandardPixmap.SP_FileDialogDetailedView,
    "workload": QStyle.StandardPixmap.SP_FileDialogListView,
    "reports": QStyle.StandardPixmap.SP_FileDialogContentsView,
}


COUNTED_TABLES = frozenset({"clients", "deals", "tasks", "documents", "payments", "jobs"})
# The navigation's order, Ctrl+0..7; the window opens on the dashboard.
PAGE_KEYS = ("dashboard", "clients", "deals", "tasks", "invoices", "jobs", "workload", "reports")


class Pages(Mapping[str, QWidget]):
    """The pages by key, each built the first time it is asked for (so `values()` builds them all)."""

    def __init__(self, window: MainWindow):
        self._window = window

    def __getitem__(self, key: str) -> QWidget:
        if key not in PAGE_KEYS:
            raise KeyError(key)
        return self._window.page(key)

    def __iter__(self) -> Iterator[str]:
        return iter(PAGE_KEYS)

    def __len__(self) -> int:
        return len(PAGE_KEYS)


class MainWindow(QMainWindow):
    language_chosen = Signal(object)  # a language code, or None for the system's: open the window again

    def __init__(
        self,
        ops: Ops,
        settings: QSettings,
        *,
        demo: bool = False,
        app_settings: Settings | None = None,
        log_dir: Path | None = None,
        page: str | None = None,
    ):
        super().__init__()
        self.ops, self.settings, self.demo = ops, settings, demo
        self.log_dir = log_dir  # Help → Open the log folder (what to send whoever helps with a problem)
        self.app_settings = app_settings  # where the database to open is remembered (None: this run only)
        self._counts: overview.Counts | None = None
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setMinimumWidth(170)
        self.stack = QStackedWidget()
        self._built: dict[str, QWidget] = {}  # the pages made so far, by key
        self._started = False  # start() ran: a page made later loads its data at once
        self._rest_started = False  # the counts, reminders and the rest were asked for (see start)
        self.company = CompanyWatch(self.ops, self)  # its name in the title; the pages' default currency
        self.company.arrived.connect(self._company_arrived)
        self.pages = Pages(self)
        self.titles = {
            "dashboard": self.tr("Dashboard"),
            "clients": self.tr("Clients"),
            "deals": self.tr("Deals"),
            "tasks": self.tr("Tasks"),
            "invoices": self.tr("Invoices"),
            "jobs": self.tr("Jobs"),
            "workload": self.tr("Workload"),
            "reports": self.tr("Reports"),
        }
        for key in PAGE_KEYS:
            item = QListWidgetItem(self.style().standardIcon(NAV_ICONS[key]), self.titles[key])
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setSizeHint(QSize(0, 40))
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._show_page)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.offline_banner = QLabel(
            self.tr(
                "The connection to the server is lost. Retrying… Open forms keep "
                "what you typed and save when it is back."
            )
        )
        self.offline_banner.setObjectName("offline_banner")
        self.offline_banner.setStyleSheet("background: #fef3c7; color: #92400e; padding: 6px 10px;")
        self.offline_banner.hide()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.offline_banner)
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._build_menus()
        self._build_search_bar()
        self._build_status_bar()
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.focus_search).setWhatsThis(
            self.tr("Search on this page")
        )
        self._build_reminders()
        # On a shared server, other PCs' changes arrive as if made here (SQLite has no other PCs).
        self.live: LiveChanges | None = None
        if not ops.ctx.db.is_sqlite:
            from crm_desktop.ui.live_changes import LiveChanges

            self.live = LiveChanges(ops, self)
            self.live.lost.connect(lambda: self._show_reachable(False))
            self.live.back.connect(lambda: self._show_reachable(True))
        ops.reachable_changed.connect(self._show_reachable)
        ops.dialog_parent = self
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 800)
        self._restore(page)  # makes the page shown first
        # After that page subscribed, as when every page was made before: its reload is asked for before the
        # counts', and the list a user looks at is answered first.
        ops.changed.connect(self._changed)

    # --- building ---

    def page(self, key: str) -> QWidget:
        """The page of `key`, made now if it was not yet: it reads its own remembered settings (filters,
        modes, splitters) as it is made, and loads its data at once when the window has started."""
        page = self._built.get(key)
        if page is None:
            page = self._make_page(key)
            self._built[key] = page
            self.stack.addWidget(page)
            if self._started:
                page.start()
        return page

    def _make_page(self, key: str) -> QWidget:
        if key == "dashboard":
            from crm_desktop.ui.dashboard.view import DashboardView

            dashboard_view = DashboardView(self.ops, self.settings, company=self.company)
            dashboard_view.open_requested.connect(self.open_behind_tile)
            return dashboard_view
        if key == "reports":
            from crm_desktop.ui.reports.view import ReportsView

            reports_view = ReportsView(self.ops, self.settings)
            reports_view.new_client_requested.connect(lambda: self.open_behind_tile("clients:new", None))
            return reports_view
        if key == "clients":
            from crm_desktop.ui.clients import ClientsView

            clients_view = ClientsView(self.ops, self.settings)
            clients_view.start_job_requested.connect(
                lambda client_id, name: self.start_job(client_id=client_id, client_name=name)
            )
            clients_view.open_job_requested.connect(lambda job_id: self.open_record("job", job_id))
            clients_view.invoice_draft_made.connect(self._open_invoice)
            return clients_view
        if key == "deals":
            from crm_desktop.ui.deals import DealsView

            deals_view = DealsView(self.ops, self.settings, company=self.company)
            deals_view.invoice_draft_made.connect(self._open_invoice)
            deals_view.start_job_requested.connect(lambda deal: self.start_job(deal=deal))
            return deals_view
        if key == "tasks":
            from crm_desktop.ui.calendar import CalendarView

            return CalendarView(self.ops, self.settings)
        if key == "invoices":
            from crm_desktop.ui.invoices import InvoicesView

            return InvoicesView(self.ops, self.settings, company=self.company)
        if key == "jobs":
            from crm_desktop.ui.work.view import JobsView

            jobs_view = JobsView(self.ops, self.settings)
            jobs_view.invoice_draft_made.connect(self._open_invoice)
            jobs_view.open_client_requested.connect(lambda client_id: self.open_record("client", client_id))
            return jobs_view
        if key == "workload":
            from crm_desktop.ui.workload.view import WorkloadView

            workload_view = WorkloadView(self.ops, self.settings)
            workload_view.open_record_requested.connect(self.open_record)
            return workload_view
        raise KeyError(key)

    def is_built(self, key: str) -> bool:
        return key in self._built

    # Other code and the tests reach the pages by name; each is made on first use.
    @property
    def clients_view(self) -> ClientsView:
        return self.page("clients")  # type: ignore[return-value]

    @property
    def deals_view(self) -> DealsView:
        return self.page("deals")  # type: ignore[return-value]

    @property
    def calendar_view(self) -> CalendarView:
        return self.page("tasks")  # type: ignore[return-value]

    @property
    def invoices_view(self) -> InvoicesView:
        return self.page("invoices")  # type: ignore[return-value]

    @property
    def jobs_view(self) -> JobsView:
        return self.page("jobs")  # type: ignore[return-value]

    @property
    def workload_view(self) -> WorkloadView:
        return self.page("workload")  # type: ignore[return-value]

    @property
    def dashboard_view(self) -> DashboardView:
        return self.page("dashboard")  # type: ignore[return-value]

    @property
    def reports_view(self) -> ReportsView:
        return self.page("reports")  # type: ignore[return-value]

    def open_behind_tile(self, target: str, query) -> None:
        """A dashboard tile clicked: the list or report behind its figure, for the same period and person."""
        kind, _, what = target.partition(":")
        person = query.user_id if query is not None else None
        if kind == "report":
            self.show_page("reports")
            self.reports_view.show_report(what, query)
        elif kind == "clients":
            self.show_page("clients")
            self.clients_view.new_client()
        elif kind == "deals":
            self.show_page("deals")
            self.deals_view.show_only(outcome=what, owner_id=person)
        elif kind == "invoices":
            self.show_page("invoices")
            self.invoices_view.show_unpaid()
        elif kind == "jobs":
            self.show_page("jobs")
            self.jobs_view.show_late(responsible_id=person)
        elif kind == "tasks":
            self.show_page("tasks")
            self.calendar_view.show_overdue(assignee_id=person)
        else:
            self.show_page(kind)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        # One Ctrl+N for the window, whatever has the focus (the search field too): the page shown
        # says what it makes.
        self.new_action = QAction(
            self.tr("&New…"), self, shortcut=QKeySequence("Ctrl+N"), triggered=self.new_item
        )
        self.new_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        file_menu.addAction(self.new_action)
        file_menu.aboutToShow.connect(self._name_new_action)
        file_menu.addSeparator()
        file_menu.addAction(QAction(self.tr("&Import…"), self, triggered=self.choose_import_file))
        file_menu.addSeparator()
        # Ctrl+Q spelled out: QKeySequence.StandardKey.Quit has no key at all on Windows.
        quit_action = QAction(self.tr("&Quit"), self, shortcut=QKeySequence("Ctrl+Q"), triggered=self.close)
        file_menu.addAction(quit_action)
        clients_menu = self.menuBar().addMenu(self.tr("&Clients"))
        clients_menu.addAction(QAction(self.tr("Find &duplicates…"), self, triggered=self.find_duplicates))
        self.undo_merge_action = QAction(undo_text(None), self, triggered=self.undo_merge)
        clients_menu.addAction(self.undo_merge_action)
        clients_menu.aboutToShow.connect(self._name_undo_merge)
        settings_menu = self.menuBar().addMenu(self.tr("&Settings"))
        settings_menu.addAction(QAction(self.tr("&Company details…"), self, triggered=self.edit_company))
        if self.app_settings is not None and not self.demo:
            settings_menu.addAction(
                QAction(self.tr("&Database connection…"), self, triggered=self.choose_connection)
            )
        settings_menu.addAction(
            QAction(self.tr("&Follow-up rules…"), self, triggered=self.edit_follow_up_rules)
        )
        if self.ops.ctx.actor.is_admin:
            settings_menu.addAction(
                QAction(self.tr("Office &calendar…"), self, triggered=self.edit_office_calendar)
            )
        settings_menu.addAction(QAction(self.tr("&Tax rates…"), self, triggered=self.edit_tax_rates))
        settings_menu.addAction(QAction(self.tr("&Email…"), self, triggered=self.edit_email))
        if self.ops.ctx.db.is_sqlite and self.app_settings is not None:  # a server is backed up on the server
            settings_menu.addAction(QAction(self.tr("&Backups…"), self, triggered=self.manage_backups))
        if self.ops.ctx.db.is_sqlite and not self.demo:
            settings_menu.addAction(
                QAction(self.tr("&Password for this PC…"), self, triggered=self.change_local_password)
            )
        self.language_menu = settings_menu.addMenu(self.tr("&Language"))
        self._build_language_menu()
        if self.ops.ctx.actor.is_admin:
            settings_menu.addSeparator()
            settings_menu.addAction(QAction(self.tr("&Users…"), self, triggered=self.manage_users))
        if self.ops.ctx.actor.role in ("admin", "manager"):
            settings_menu.addAction(QAction(self.tr("&Rates…"), self, triggered=self.edit_rates))
            settings_menu.addAction(QAction(self.tr("P&lans…"), self, triggered=self.edit_plans))
            settings_menu.addAction(QAction(self.tr("&Audit log…"), self, triggered=self.show_audit_log))
        go_menu = self.menuBar().addMenu(self.tr("&Go"))
        go_menu.addAction(
            QAction(
                self.tr("&Time sheet…"),
                self,
                shortcut=QKeySequence("Ctrl+Shift+T"),
                triggered=self.show_time_sheet,
            )
        )
        go_menu.addSeparator()
        for i, key in enumerate(PAGE_KEYS):
            go_menu.addAction(
                QAction(
                    self.titles[key],
                    self,
                    shortcut=QKeySequence(f"Ctrl+{i}"),
                    triggered=lambda _=False, row=i: self.nav.setCurrentRow(row),
                )
            )
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(
            QAction(
                self.tr("&Getting started"),
                self,
                shortcut=QKeySequence("F1"),
                triggered=self.show_getting_started,
            )
        )
        help_menu.addAction(QAction(self.tr("&Keyboard shortcuts"), self, triggered=self.show_shortcuts))
        if self.log_dir is not None:
            help_menu.addAction(
                QAction(self.tr("Open the &log folder"), self, triggered=self.open_log_folder)
            )
        help_menu.addSeparator()
        help_menu.addAction(QAction(self.tr("&About CRM Desktop"), self, triggered=self.show_about))

    def _build_language_menu(self) -> None:
        """Settings → Language: this PC user's choice (the system's by default), each language named in
        its own words; choosing one opens the window again in it."""
        chosen = self.app_settings.get("language") if self.app_settings is not None else None
        group = QActionGroup(self)
        systems = i18n.NAMES[i18n.choose(QLocale.system().name())]
        system = QAction(fill(self.tr("As the system ({language})"), language=systems), self)
        for code, action in [(None, system)] + [(c, QAction(i18n.NAMES[c], self)) for c in i18n.LANGUAGES]:
            action.setCheckable(True)
            action.setChecked(code == chosen)
            action.setData(code)
            action.triggered.connect(lambda _=False, code=code: self.choose_language(code))
            group.addAction(action)
            self.language_menu.addAction(action)
            if code is None:
                self.language_menu.addSeparator()

    def choose_language(self, code: str | None) -> QMessageBox | None:
        """Keep `code` (None: the system's) for this PC user and ask for the window in that language.
        The window is made again: a note being written on a client's card is not thrown away unasked
        (every other form is a dialog, and the menu cannot be reached while one is open)."""

        def switch() -> None:
            if self.app_settings is not None:
                self.app_settings.set("language", code)
            self.language_chosen.emit(code)

        card = self.clients_view.card if self.is_built("clients") else None
        if card is None or not (card.entry_box.isVisible() and card.entry.toPlainText().strip()):
            switch()
            return None
        self.language_question = ask_to_confirm(
            self,
            self.tr("Language"),
            self.tr("The note you are writing is not saved yet. Switch the language and lose it?"),
            self.tr("Switch and lose the note"),
            switch,
        )
        return self.language_question

    def _build_search_bar(self) -> None:
        self.global_search = GlobalSearch(self.ops, self)
        self.global_search.setMaximumWidth(520)
        self.global_search.open_requested.connect(self.open_record)
        bar = QToolBar(self.tr("Search"))
        bar.setObjectName("search_bar")
        bar.setMovable(False)
        bar.addWidget(self.global_search)
        self.addToolBar(bar)
        QShortcut(QKeySequence("Ctrl+K"), self, activated=self.global_search.focus).setWhatsThis(
            self.tr("Find any client, deal or invoice")
        )

    def _build_reminders(self) -> None:
        self.reminder_scheduler = ReminderScheduler(self.ops, self)
        self.reminder_window = ReminderWindow(self.ops, self)
        self.destroyed.connect(self.reminder_window.deleteLater)
        self.reminder_scheduler.due.connect(self._reminders_due)
        self.reminder_window.handled.connect(lambda _task_id: self.reminder_scheduler.rearm())
        self.reminder_window.open_requested.connect(self._open_reminder)
        # Done in the reminder window: the question about what comes next is the main window's.
        self.schedule_next = ScheduleNext(self.ops, self)
        self.reminder_window.completed.connect(self.schedule_next.offer)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(QApplication.windowIcon(), self)
            self.tray.setToolTip(APP_NAME)
            self.tray.messageClicked.connect(self.reminder_window.raise_)
            self.tray.show()

    def _open_dialog(self, name: str, dialog: QDialog) -> QDialog:
        """Show a settings dialog window-modal, reachable as self.<name> (tests), gone when closed."""
        setattr(self, name, dialog)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def edit_follow_up_rules(self) -> None:
        from crm_desktop.services import follow_ups
        from crm_desktop.ui.reminders.rules_dialog import FollowUpRulesDialog

        self.ops.read(
            follow_ups.settings,
            on_done=lambda rules: self._open_dialog(
                "rules_dialog", FollowUpRulesDialog(self.ops, rules, self)
            ),
        )

    def choose_import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import clients, deals, tasks or invoices"),
            str(Path.home()),
            self.tr("Tables (*.csv *.txt *.tsv *.xlsx *.xlsm *.xls *.ods);;All files (*)"),
        )
        if path:
            self.open_import(Path(path))

    def open_import(self, path: Path) -> QDialog:
        """The import wizard on `path` (File → Import…), window-modal."""
        from crm_desktop.ui.import_wizard import ImportWizard

        wizard = ImportWizard(self.ops, path, self.app_settings, self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.open()
        return wizard

    def edit_company(self) -> None:
        from crm_desktop.ui.company_dialog import CompanyDialog

        self.ops.read(
            company.get,
            logo=True,
            on_done=lambda profile: self._open_dialog(
                "company_dialog", CompanyDialog(self.ops, profile, self)
            ),
        )

    def choose_connection(self) -> ConnectionDialog:
        from crm_desktop.ui.connection_dialog import ConnectionDialog

        url = self.ops.ctx.db.engine.url
        shown = (
            None
            if url.get_backend_name() == "sqlite"
            else url.set(password=None, query={}).render_as_string()
        )
        dialog = ConnectionDialog(shown, offer_local=True, parent=self)
        dialog.accepted.connect(lambda: self._connection_chosen(dialog.url))
        return self._open_dialog("connection_dialog", dialog)

    def _connection_chosen(self, url: str) -> None:
        self.app_settings.set("database_url", url or None)
        where = url or self.tr("the file on this PC")
        box = QMessageBox(
            QMessageBox.Icon.Information,
            APP_NAME,
            fill(self.tr("CRM Desktop opens {where} from its next start."), where=where),
            QMessageBox.StandardButton.Ok,
            self,
        )
        restart = box.addButton(self.tr("Restart now"), QMessageBox.ButtonRole.AcceptRole)
        restart.clicked.connect(self.restart)
        self.restart_box = box
        box.open()

    def restart(self) -> None:
        frozen = getattr(
            sys, "frozen", False
        )  # a bundle is its own executable; otherwise python + the script
        QProcess.startDetached(sys.executable, sys.argv[1:] if frozen else sys.argv)
        self.close()

    def change_local_password(self) -> None:
        from crm_desktop.services import local_password

        self.ops.read(lambda ctx: local_password.is_set(ctx.db), on_done=self._show_local_password)

    def _show_local_password(self, is_set: bool) -> None:
        from crm_desktop.ui.local_password_dialogs import LocalPasswordDialog

        dialog = LocalPasswordDialog(self.ops, is_set, self)
        dialog.saved.connect(
            lambda now_set: self.statusBar().showMessage(
                self.tr("CRM Desktop asks for the password from its next start.")
                if now_set
                else self.tr("CRM Desktop no longer asks for a password."),
                10_000,
            )
        )
        self._open_dialog("local_password_dialog", dialog)

    def show_time_sheet(self) -> QDialog:
        """Go → Time sheet: this week's time of the user (or of someone of their team)."""
        from crm_desktop.ui.time_sheet import TimeSheetDialog

        return self._open_dialog("time_sheet", TimeSheetDialog(self.ops, self))

    def edit_plans(self) -> QDialog:
        """Settings → Plans: each month's plans of the office and its people, against what was reached."""
        from crm_desktop.ui.plans_dialog import PlansDialog

        return self._open_dialog("plans_dialog", PlansDialog(self.ops, self.company.default_currency, self))

    def edit_rates(self) -> QDialog:
        """Settings → Rates: what people's and skills' time is billed at."""
        from crm_desktop.ui.rates_dialog import RatesDialog

        return self._open_dialog("rates_dialog", RatesDialog(self.ops, self))

    def manage_users(self) -> UsersDialog:
        from crm_desktop.ui.users_dialog import UsersDialog

        return self._open_dialog("users_dialog", UsersDialog(self.ops, self))

    def show_audit_log(self) -> AuditViewer:
        from crm_desktop.ui.audit_viewer import AuditViewer

        return self._open_dialog("audit_viewer", AuditViewer(self.ops, self.settings, self))

    def find_duplicates(self) -> QDialog:
        """Clients → Find duplicates: the groups found (a job), each merged from the dialog."""
        from crm_desktop.ui.clients.merge import DuplicatesDialog

        dialog = DuplicatesDialog(self.ops, self._merged, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        dialog.find()
        return dialog

    def _merged(self, client) -> None:
        self.statusBar().showMessage(
            fill(self.tr("Merged into {name}. Clients → Undo merge puts them back."), name=client.name),
            10_000,
        )
        self.open_record("client", client.id)

    def _name_undo_merge(self) -> None:
        """The menu names the merge Undo would undo; with none, Undo says so when chosen."""
        self.ops.read(
            client_merge.last_merge, on_done=lambda last: self.undo_merge_action.setText(undo_text(last))
        )

    def undo_merge(self) -> None:
        self.ops.write(
            client_merge.undo,
            on_done=self._unmerged,
        )

    def _unmerged(self, client) -> None:
        self.statusBar().showMessage(
            fill(self.tr("The merge into {name} is undone."), name=client.name), 10_000
        )
        self.open_record("client", client.id)

    def manage_backups(self) -> QDialog:
        from crm_desktop.ui.backups_dialog import BackupsDialog

        assert self.app_settings is not None
        dialog = BackupsDialog(self.ops, self.app_settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def edit_office_calendar(self) -> QDialog:
        from crm_desktop.ui.office_calendar_dialog import OfficeCalendarDialog

        return self._open_dialog("office_calendar_dialog", OfficeCalendarDialog(self.ops, self))

    def edit_email(self) -> None:
        from crm_desktop.services import mail

        self.ops.read(mail.smtp_settings, on_done=self._show_email_settings)

    def _show_email_settings(self, settings) -> None:
        from crm_desktop.ui.invoices.send_mail import SmtpDialog

        dialog = SmtpDialog(self.ops, settings, self)
        dialog.saved.connect(
            lambda _settings: (
                self.statusBar().showMessage(
                    self.tr(
                        "This PC has no working keyring: the mail password is kept until CRM Desktop closes."
                    ),
                    15_000,
                )
                if dialog.memory_only
                else None
            )
        )
        self._open_dialog("email_dialog", dialog)

    def edit_tax_rates(self) -> None:
        from crm_desktop.services import documents
        from crm_desktop.ui.invoices.tax_rates import TaxRatesDialog

        self.ops.read(
            documents.tax_presets,
            on_done=lambda presets: self._open_dialog(
                "tax_rates_dialog", TaxRatesDialog(self.ops, presets, self)
            ),
        )

    def _reminders_due(self, found: list) -> None:
        self.reminder_window.add(found)
        if self.tray is not None:
            first = found[0]
            more = (
                fill(ngettext(" and {n} more", " and {n} more", len(found) - 1), n=len(found) - 1)
                if len(found) > 1
                else ""
            )
            self.tray.showMessage(
                self.tr("Reminder"), first.title + more, QSystemTrayIcon.MessageIcon.Information
            )

    def _open_reminder(self, reminder) -> None:
        """A reminder's Open: the job a job's task is about, any other task in the calendar."""
        if reminder.job_id is not None:
            self.open_record("job", reminder.job_id)
        else:
            self.open_task(reminder.task_id)

    def open_task(self, task_id: int) -> None:
        """A reminder's Open: the task in the calendar, on its day, in its editor."""
        from crm_desktop.services import tasks

        self.show_page("tasks")
        self.ops.read(tasks.get, task_id, on_done=self._show_task)

    def _show_task(self, task) -> None:
        if task.due_at is not None:
            self.calendar_view.show_day(task.due_at.astimezone(self.ops.ctx.zone()).date())
        self.calendar_view.edit(task)

    def open_record(self, kind: str, record_id: int) -> None:
        """Show a hit of the global search where it lives."""
        if kind == "client":
            self.show_page("clients")
            self.clients_view.open_client(record_id)
        elif kind == "invoice":
            self.show_page("invoices")
            self.invoices_view.open_document(record_id)
        elif kind == "deal":
            self.show_page("deals")
            self.deals_view.open_deal(record_id)
        elif kind == "job":
            self.show_page("jobs")
            self.jobs_view.open_job_id(record_id)
        elif kind == "task":
            self.open_task(record_id)

    def start_job(self, *, client_id: int | None = None, client_name: str = "", deal=None) -> QDialog:
        """Start a job (from the client card, or a won deal): the workflow asked, then the job's window."""
        from crm_desktop.ui.work.start_dialog import StartJobDialog

        dialog = StartJobDialog(self.ops, [], self, client_id=client_id, client_name=client_name, deal=deal)
        dialog.saved.connect(lambda job: self.open_record("job", job.id))
        return self._open_dialog("start_job_dialog", dialog)

    def _open_invoice(self, document) -> None:
        self.show_page("invoices")
        self.invoices_view.edit_document(document)

    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow(PAGE_KEYS.index(key))

    def _build_status_bar(self) -> None:
        db = self.ops.ctx.db
        where = fill(
            self.tr("Local file: {path}") if db.is_sqlite else self.tr("Server: {path}"), path=db.describe()
        )
        if self.demo:
            where = fill(self.tr("Demo data: {path}"), path=db.describe())
        self.database_label = QLabel(where)
        self.database_label.setToolTip(db.describe())
        self.user_label = QLabel(fill(self.tr("User: {name}"), name=self.ops.ctx.actor.username))
        self.busy_label = QLabel()
        self.ops.busy_changed.connect(
            lambda busy: self.busy_label.setText(self.tr("Loading…") if busy else "")
        )
        from crm_desktop.ui.time_clock import TimeClock

        self.time_clock = TimeClock(self.ops)
        self.time_clock.sheet_requested.connect(self.show_time_sheet)
        bar = self.statusBar()
        bar.addWidget(self.database_label, 1)
        bar.addPermanentWidget(self.time_clock)
        bar.addPermanentWidget(self.busy_label)
        bar.addPermanentWidget(self.user_label)

    # --- behaviour ---

    def _show_reachable(self, reachable: bool) -> None:
        if reachable and self.offline_banner.isVisible():
            self.statusBar().showMessage(self.tr("Connected to the server again."), 10_000)
        self.offline_banner.setVisible(not reachable)

    def start(self) -> None:
        """Load the pages made so far (their reads run while the window is shown and painted), then, once
        those have answered, the counts, the reminders and the rest: started together they would hold the
        interpreter lock while the shown page waits for its rows (~70 ms of a start, issue 13)."""
        self._started = True
        for page in list(self._built.values()):
            page.start()
        if self.ops.busy:
            self.ops.busy_changed.connect(self._start_rest_when_idle)
        else:
            self._start_rest()

    def _start_rest_when_idle(self, busy: bool) -> None:
        if not busy:
            self.ops.busy_changed.disconnect(self._start_rest_when_idle)
            QTimer.singleShot(0, self._start_rest)  # after the page has shown what arrived

    def _start_rest(self) -> None:
        self._rest_started = True
        self._load_counts()
        self.time_clock.start()
        self.reminder_scheduler.start()
        if self.ops.ctx.db.is_sqlite and self.app_settings is not None and not self.demo:
            from crm_desktop.ui.backups_dialog import AutoBackup

            self.auto_backup = AutoBackup(self.ops, self.app_settings, self)
            self.auto_backup.start()
        if self.live is not None:
            self.live.start()
        self.ops.read(company.is_set_up, on_done=self._maybe_first_run)
        self.company.start()
        self.ops.read(
            users.get,
            self.ops.ctx.actor.user_id,
            on_done=lambda user: self.user_label.setText(
                fill(self.tr("User: {name}"), name=user.display_name)
            ),
        )

    @property
    def ready(self) -> bool:
        """Every page made so far has shown its first data, the start's other reads were asked for, and
        no service call is pending (tests, screenshots, benchmarks)."""
        return (
            self._rest_started
            and not self.ops.busy
            and all(page_ready(page) for page in self._built.values())
        )

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()

    def current_key(self) -> str:
        shown = self.stack.currentWidget()
        return next((key for key, page in self._built.items() if page is shown), PAGE_KEYS[0])

    def focus_search(self) -> None:
        """Ctrl+F: the current page's own search field, or the global one where a page has none."""
        field = getattr(self.current_page(), "search", None) or self.global_search.edit
        field.setFocus()
        field.selectAll()

    def _maybe_first_run(self, set_up: bool) -> None:
        if not set_up and not self.demo:
            from crm_desktop.ui.first_run import FirstRunDialog

            self.first_run = FirstRunDialog(self.ops, self)
            self.first_run.server_button.setVisible(self.app_settings is not None)
            self.first_run.server_button.clicked.connect(
                lambda: (self.first_run.reject(), self.choose_connection())
            )
            self.first_run.open()

    def show_shortcuts(self) -> QDialog:
        from crm_desktop.ui.shortcuts_dialog import ShortcutsDialog, shortcuts_of

        for key in self.pages:  # a page not visited yet has its keys too
            self.page(key)
        places = {page: self.titles[key] for key, page in self._built.items()}
        rows = shortcuts_of(self, places, self.tr("Everywhere"))
        return self._open_dialog("shortcuts_dialog", ShortcutsDialog(rows, self))

    def show_getting_started(self) -> HelpWindow:
        """Help → Getting started (F1): the illustrated first steps in a window of their own, read while
        working (not modal); asked for again, the window already open comes to the front."""
        from crm_desktop.ui.help_page import HelpWindow, page_path

        window = getattr(self, "help_window", None)  # kept when closed: it opens again where it was
        if window is None:
            language = self.app_settings.get("language") if self.app_settings is not None else None
            window = self.help_window = HelpWindow(page_path(language=language), owner=self)
        window.show_in_front()
        return window

    def open_log_folder(self) -> None:
        assert self.log_dir is not None
        self.log_dir.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_dir)))

    def show_about(self) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("About CRM Desktop"),
            fill(
                self.tr(
                    "{app} {version}\n\nClients, deals, tasks and invoices for small service "
                    "offices.\n\nDatabase: {db}"
                ),
                app=APP_NAME,
                version=__version__,
                db=self.ops.ctx.db.describe(),
            ),
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.open()
        return box

    def _show_page(self, row: int) -> None:
        self.stack.setCurrentWidget(self.page(PAGE_KEYS[row]))
        self._name_new_action()

    def new_item(self) -> None:
        """Ctrl+N: a new record of the page shown (a client, a deal, a task, an invoice or quote)."""
        self.current_page().new_item()

    def _name_new_action(self) -> None:
        self.new_action.setText(self.current_page().new_item_text() + "…")

    def _company_arrived(self, profile) -> None:
        db = self.ops.ctx.db
        # The full path is in the status bar; the title only has to tell two windows apart.
        name = profile.name or (Path(db.describe()).name if db.is_sqlite else db.describe())
        self.setWindowTitle(f"{APP_NAME} — {name}")

    def _load_counts(self) -> None:
        self.ops.read(overview.counts, on_done=self._counts_arrived)

    def _counts_arrived(self, counts: overview.Counts) -> None:
        self._counts = counts
        extra = {
            "clients": i18n.number_text(counts.clients),
            "deals": fill(
                ngettext("{n} open", "{n} open", counts.open_deals), n=i18n.number_text(counts.open_deals)
            ),
            "tasks": i18n.number_text(counts.open_tasks)
            + (
                "  "
                + fill(
                    ngettext("({n} overdue)", "({n} overdue)", counts.overdue_tasks),
                    n=i18n.number_text(counts.overdue_tasks),
                )
                if counts.overdue_tasks
                else ""
            ),
            "invoices": fill(
                ngettext("{n} unpaid", "{n} unpaid", counts.unpaid_invoices),
                n=i18n.number_text(counts.unpaid_invoices),
            ),
            "jobs": fill(
                ngettext("{n} open", "{n} open", counts.open_jobs), n=i18n.number_text(counts.open_jobs)
            )
            + (
                "  "
                + fill(
                    ngettext("({n} late)", "({n} late)", counts.late_jobs),
                    n=i18n.number_text(counts.late_jobs),
                )
                if counts.late_jobs
                else ""
            ),
        }
        for row, key in enumerate(PAGE_KEYS):
            self.nav.item(row).setText(f"{self.titles[key]}  {extra.get(key, '')}".rstrip())

    def _changed(self, changes: Changes) -> None:
        # Edits change no count of clients; edits of deals, tasks and documents may (won, done, paid).
        if changes.rows_came_or_went(COUNTED_TABLES) or changes.tables & (COUNTED_TABLES - {"clients"}):
            self._load_counts()

    # --- remembering the window ---

    def _restore(self, page: str | None) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = self.settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        else:
            self.splitter.setSizes([200, 1000])
        # The dashboard, unless the window is made again on the page it showed (another language chosen).
        self.nav.setCurrentRow(PAGE_KEYS.index(page) if page in PAGE_KEYS else 0)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.sync()
        if self.live is not None:
            self.live.stop()
        jobs.stop_all()  # a running export or import stops between steps (a write job rolls back)
        self.ops.wait_idle()
        self.reminder_window.close()  # a window of its own: it would outlive this one
        self.ops.detach()
        super().closeEvent(event)


def page_ready(page: QWidget) -> bool:
    model = getattr(page, "model", None)
    return bool(getattr(page, "ready", True) and getattr(model, "ready", True))
