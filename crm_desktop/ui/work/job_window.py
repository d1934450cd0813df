"""A job's own window: who it is for (name, phones, address), where it stands (planned against expected
finish), its stages on a time line, the chosen stage's checklist and what can be done with it (start,
done, send for approval, approve or reject, block, unblock), and its tasks, approvals, files, scope and
history. It follows every change, made here, elsewhere in the app or on another PC."""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import i18n
from crm_desktop.i18n import fill
from crm_desktop.services import approvals, job_files, job_stages, jobs, time_tracking, users
from crm_desktop.services.jobs import JobDetail, StageRow
from crm_desktop.ui.dates import moment_day_text, moment_text
from crm_desktop.ui.left_to_right import embedded, money_text
from crm_desktop.ui.ops import Ops
from crm_desktop.ui.refresh import WhenShown
from crm_desktop.ui.work import steps
from crm_desktop.ui.work.cards import LATE
from crm_desktop.ui.work.reason import ReasonDialog
from crm_desktop.ui.work.timeline import StageTimeline
from crm_desktop.ui.work.trees import fit, tree
from crm_desktop.ui.work.words import job_status_names, stage_status_names
from crm_desktop.ui.work.work_done_tab import TABLES as WORK_DONE_TABLES
from crm_desktop.ui.work.work_done_tab import WorkDoneTab

WINDOW_TABLES = frozenset(
    {"jobs", "job_stages", "stage_approvals", "job_files", "tasks", "activities", "clients"}
    | WORK_DONE_TABLES
)


def tr(text: str) -> str:
    return QCoreApplication.translate("JobWindow", text)


class JobWindow(QWidget):
    invoice_draft_made = Signal(object)

    def __init__(self, ops: Ops, job_id: int, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.ops, self.job_id = ops, job_id
        self.detail: JobDetail | None = None
        self.stage: StageRow | None = None
        self.setObjectName("job_window")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(tr("Job"))
        self.resize(1080, 660)  # fits a 1280×720 screen with its panel

        self.title = QLabel()
        self.title.setObjectName("job_title")
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.title.setWordWrap(True)
        self.client = QLabel()
        self.client.setWordWrap(True)
        self.client.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.standing = QLabel()
        self.standing.setWordWrap(True)
        self.actions = QHBoxLayout()
        self.actions.setSpacing(6)
        header = QHBoxLayout()
        about = QVBoxLayout()
        for label in (self.title, self.client, self.standing):
            about.addWidget(label)
        header.addLayout(about, 1)
        header.addLayout(self.actions)

        self.timeline = StageTimeline(ops.ctx.now())
        self.timeline.stage_chosen.connect(self._stage_chosen)
        self.stage_box = QGroupBox()
        self.stage_facts = QLabel()
        self.stage_facts.setWordWrap(True)
        self.checklist = QListWidget()
        self.checklist.itemChanged.connect(self._ticked)
        self.stage_buttons = QHBoxLayout()
        stage_layout = QVBoxLayout(self.stage_box)
        stage_layout.addWidget(self.stage_facts)
        stage_layout.addWidget(QLabel(tr("Checklist")))
        stage_layout.addWidget(self.checklist, 1)
        stage_layout.addLayout(self.stage_buttons)
        self.stage_box.setMinimumWidth(320)
        middle = QSplitter()
        middle.addWidget(self.timeline)
        middle.addWidget(self.stage_box)
        middle.setStretchFactor(0, 1)
        middle.setChildrenCollapsible(False)

        self.tasks = tree(tr("Due"), tr("Task"), tr("Assignee"), tr("Status"))
        self.approvals = tree(tr("Asked"), tr("Stage"), tr("By"), tr("Note"), tr("Answer"), tr("Comment"))
        self.files = tree(tr("File"), tr("Size"), tr("Added by"), tr("When"))
        self.files.itemDoubleClicked.connect(lambda _item, _col: self.open_file())
        self.scope = tree(tr("Work"), tr("Quantity"), tr("Price"))
        self.history = tree(tr("When"), tr("By"), tr("What"))  # (the last column takes the room left)
        files_tab = QWidget()
        files_layout = QVBoxLayout(files_tab)
        files_layout.setContentsMargins(0, 0, 0, 0)
        files_layout.addWidget(self.files, 1)
        file_buttons = QHBoxLayout()
        for text, slot in (
            (tr("Attach…"), self.choose_file),
            (tr("Open"), self.open_file),
            (tr("Save as…"), self.save_file),
            (tr("Remove"), self.remove_file),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            file_buttons.addWidget(button)
        file_buttons.addStretch(1)
        files_layout.addLayout(file_buttons)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.history, tr("History"))
        self.tabs.addTab(self.tasks, tr("Tasks"))
        self.tabs.addTab(self.approvals, tr("Approvals"))
        self.tabs.addTab(files_tab, tr("Files"))
        self.tabs.addTab(self.scope, tr("Scope"))
        self.work_done = WorkDoneTab(ops, job_id)
        self.work_done.invoice_draft_made.connect(self.invoice_draft_made)
        self.work_done.act_made.connect(
            lambda file_id: self.ops.read(job_files.content, file_id, on_done=self._show_file)
        )
        self.tabs.addTab(self.work_done, tr("Time and costs"))
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(middle)
        body.addWidget(self.tabs)
        body.setStretchFactor(0, 1)
        body.setStretchFactor(1, 1)
        body.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(body, 1)
        self.ready = False
        WhenShown(self, ops, WINDOW_TABLES, lambda _changes: self.reload())
        self.reload()

    # --- loading ---

    def reload(self) -> None:
        self.ready = False
        self.ops.read(jobs.get, self.job_id, on_done=self.show_detail, on_error=self._gone)
        self.ops.read(jobs.history, self.job_id, on_done=self._history_arrived, on_error=lambda _e: None)
        self.ops.read(
            job_files.list_files, self.job_id, on_done=self._files_arrived, on_error=lambda _e: None
        )

    def _gone(self, error) -> None:
        self.ops.show_problem(error.message)
        self.close()

    def show_detail(self, d: JobDetail) -> None:
        self.detail = d
        self.work_done.show_job(d)
        self.setWindowTitle(fill(tr("Job: {title}"), title=d.title))
        self.title.setText(html.escape(d.title))
        contact = [
            d.client_name,
            *(embedded(p) for p in d.client_phones[:2]),
            d.site_address or d.client_address,
        ]
        self.client.setText(" · ".join(x for x in contact if x))
        late = d.forecast_due > d.planned_due and d.status not in ("done", "cancelled")
        parts = [
            f"<b>{html.escape(job_status_names()[d.status])}</b>",
            html.escape(
                fill(
                    tr("{done} of {n} stages done"),
                    done=i18n.number_text(d.stages_done),
                    n=i18n.number_text(len(d.stages)),
                )
            ),
            html.escape(fill(tr("Responsible: {name}"), name=d.responsible_name or "—")),
            html.escape(fill(tr("Planned finish {day}"), day=moment_day_text(d.planned_due))),
            f"<span style='color:{LATE.name() if late else 'inherit'}'>"
            + html.escape(fill(tr("expected {day}"), day=moment_day_text(d.forecast_due)))
            + "</span>",
        ]
        if d.priority == "high":
            parts.insert(
                1, f"<span style='color:{LATE.name()}'>" + html.escape(tr("High priority")) + "</span>"
            )
        if d.status == "on_hold" and d.hold_reason:
            parts.append(html.escape(fill(tr("On hold: {reason}"), reason=d.hold_reason)))
        self.standing.setText(" · ".join(parts))
        self._job_buttons(d)
        self.timeline.show_stages(d.stages, self.ops.ctx.now())
        self._stage_chosen(self.timeline.chosen)
        self._fill_tasks(d)
        self._fill_approvals(d)
        self._fill_scope(d)
        self.ready = True

    def _job_buttons(self, d: JobDetail) -> None:
        while self.actions.count():
            item = self.actions.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        choices = {
            "planned": [
                ("in_progress", tr("Start the job")),
                ("on_hold", tr("Put on hold…")),
                ("cancelled", tr("Cancel…")),
            ],
            "in_progress": [
                ("on_hold", tr("Put on hold…")),
                ("done", tr("Finish…")),
                ("cancelled", tr("Cancel…")),
            ],
            "on_hold": [("in_progress", tr("Resume")), ("cancelled", tr("Cancel…"))],
            "done": [("in_progress", tr("Reopen"))],
            "cancelled": [("in_progress", tr("Reopen"))],
        }[d.status]
        for status, text in choices:
            button = QPushButton(text)
            button.setObjectName(f"job_{status}")
            button.clicked.connect(lambda _=False, s=status: self.move(s))
            self.actions.addWidget(button)
        edit = QPushButton(tr("Edit…"))
        edit.setObjectName("job_edit")
        edit.clicked.connect(self.edit)
        self.actions.addWidget(edit)
        if d.status == "done":
            invoice = QPushButton(tr("Invoice…"))
            invoice.clicked.connect(
                lambda: steps.offer_after_finish(self, self.ops, d, self.invoice_draft_made.emit)
            )
            self.actions.addWidget(invoice)

    def _fill_tasks(self, d: JobDetail) -> None:
        self.tasks.clear()
        done = {"open": tr("Open"), "done": tr("Done"), "cancelled": tr("Cancelled")}
        for t in d.tasks:
            self.tasks.addTopLevelItem(
                QTreeWidgetItem(
                    [moment_text(t.due_at), t.title, t.assignee_name, done.get(t.status, t.status)]
                )
            )
        fit(self.tasks)

    def _fill_approvals(self, d: JobDetail) -> None:
        self.approvals.clear()
        names = {g.id: g.name for g in d.stages}
        answers = {None: tr("Waiting"), "approved": tr("Approved"), "rejected": tr("Rejected")}
        for a in d.approvals:
            answer = answers[a.decision] + (f" · {a.decided_by}" if a.decided_by else "")
            item = QTreeWidgetItem(
                [
                    moment_text(a.requested_at),
                    names.get(a.stage_id, ""),
                    a.requested_by,
                    a.note,
                    answer,
                    a.comment,
                ]
            )
            if a.decision == "rejected":
                item.setForeground(4, LATE)
            self.approvals.addTopLevelItem(item)
        fit(self.approvals)

    def _fill_scope(self, d: JobDetail) -> None:
        self.scope.clear()
        for line in d.scope:
            self.scope.addTopLevelItem(
                QTreeWidgetItem(
                    [
                        line.description,
                        i18n.number_text(line.quantity),
                        money_text(line.unit_price, d.currency),
                    ]
                )
            )
        fit(self.scope)

    def _history_arrived(self, rows) -> None:
        self.history.clear()
        for e in rows:
            self.history.addTopLevelItem(
                QTreeWidgetItem([moment_text(e.occurred_at), e.author_name, e.text()])
            )
        fit(self.history)

    def _files_arrived(self, rows: list[job_files.FileRow]) -> None:
        self.files.clear()
        for f in rows:
            item = QTreeWidgetItem(
                [
                    f.name,
                    fill(tr("{size} MB"), size=job_files.megabytes(f.size)),
                    f.added_by,
                    moment_text(f.added_at),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, f)
            self.files.addTopLevelItem(item)
        fit(self.files)

    # --- the chosen stage ---

    def _stage_chosen(self, stage_id: int | None) -> None:
        d = self.detail
        self.stage = next((g for g in d.stages if g.id == stage_id), None) if d else None
        g = self.stage
        while self.stage_buttons.count():
            item = self.stage_buttons.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        blocked = self.checklist.blockSignals(True)
        self.checklist.clear()
        if g is None:
            self.stage_box.setTitle("")
            self.stage_facts.clear()
            self.checklist.blockSignals(blocked)
            return
        self.stage_box.setTitle(fill(tr("Stage {n}: {name}"), n=g.position, name=g.name))
        length = (
            fill(i18n.ngettext("{n} working day", "{n} working days", g.work_days), n=g.work_days)
            if g.work_days is not None
            else fill(tr("{n} h of work"), n=i18n.number_text((g.work_hours or 0).normalize()))
        )
        facts = [
            f"<b>{html.escape(stage_status_names()[g.status])}</b> · {html.escape(length)}",
            html.escape(fill(tr("Doing it: {name}"), name=g.responsible_name or "—")),
            html.escape(
                fill(
                    tr("Planned {start} – {end}"),
                    start=moment_day_text(g.planned_start),
                    end=moment_day_text(g.planned_due),
                )
            ),
            html.escape(
                fill(
                    tr("Expected {start} – {end}"),
                    start=moment_day_text(g.forecast_start),
                    end=moment_day_text(g.forecast_due),
                )
            ),
        ]
        if g.needs_approval:
            facts.append(html.escape(tr("Needs an approval")))
        if g.status == "blocked":
            facts.append(
                f"<span style='color:{LATE.name()}'>"
                + html.escape(fill(tr("Blocked: {reason}"), reason=g.block_reason))
                + "</span>"
            )
        if g.override_reason:
            facts.append(html.escape(fill(tr("Done without every item: {reason}"), reason=g.override_reason)))
        self.stage_facts.setText("<br>".join(facts))
        for item in g.checklist:
            row = QListWidgetItem(item["text"])
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(Qt.CheckState.Checked if item.get("done_at") else Qt.CheckState.Unchecked)
            self.checklist.addItem(row)
        self.checklist.blockSignals(blocked)
        for key, text, slot in self._stage_actions(g):
            button = QPushButton(text)
            button.setObjectName(f"stage_{key}")
            button.clicked.connect(slot)
            self.stage_buttons.addWidget(button)
        self.stage_buttons.addStretch(1)

    def _stage_actions(self, g: StageRow) -> list[tuple[str, str, object]]:
        me = self.ops.ctx.actor
        approver = me.is_admin or g.approver_id == me.user_id
        if g.status == "done":
            return []
        if g.status == "blocked":
            return [("unblock", tr("Unblock"), self.unblock)]
        if g.status == "awaiting_approval":
            if not approver:
                return []
            return [("approve", tr("Approve"), self.approve), ("reject", tr("Reject…"), self.reject_approval)]
        out = []
        if g.status == "waiting":
            out.append(("start", tr("Start"), self.start_stage))
        if g.needs_approval and g.approver_id != me.user_id:  # (an administrator sends it too: it is asked)
            out.append(("send", tr("Send for approval"), self.send_for_approval))
        else:
            out.append(("done", tr("Done"), self.complete))
        out.append(("block", tr("Block…"), self.block))
        out.append(("timer", tr("Start timer"), self.start_timer))
        return out

    # --- stage actions ---

    def _write(self, fn, *args, **kwargs) -> None:
        self.ops.write(fn, *args, **kwargs, on_done=self.show_detail, initiator=self)

    def _ticked(self, item: QListWidgetItem) -> None:
        if self.stage is not None:
            self._write(
                job_stages.tick,
                self.stage.id,
                self.checklist.row(item),
                item.checkState() == Qt.CheckState.Checked,
            )

    def start_timer(self) -> None:
        """Time on the stage from now on (the status bar shows it running; the timer before it stops)."""
        if self.stage is not None:
            self.ops.write(time_tracking.start_timer, stage_id=self.stage.id)

    def start_stage(self) -> None:
        assert self.stage is not None
        self._write(job_stages.start_stage, self.stage.id, expected_version=self.stage.version)

    def complete(self) -> None:
        self._with_unticked_reason(job_stages.complete_stage, tr("Mark done"))

    def send_for_approval(self) -> None:
        self._with_unticked_reason(approvals.request, tr("Send for approval"))

    def _with_unticked_reason(self, fn, action: str) -> None:
        """The step, or — with checklist items left — the reason for them asked first."""
        g = self.stage
        assert g is not None
        if g.ticked == len(g.checklist):
            self._write(fn, g.id, expected_version=g.version)
            return
        left = [x["text"] for x in g.checklist if not x.get("done_at")]
        question = fill(
            i18n.ngettext(
                "“{first}” is not ticked. Say why the stage is done without it.",
                "{n} items are not ticked (“{first}”…). Say why the stage is done without them.",
                len(left),
            ),
            n=len(left),
            first=left[0],
        )
        self._ask(
            action,
            question,
            lambda reason, ok, failed: self.ops.write(
                fn, g.id, override_reason=reason, expected_version=g.version, on_done=ok, on_error=failed
            ),
        )

    def block(self) -> None:
        """Why the stage cannot go on, and who may unblock it (the job's manager unless someone is named)."""
        g = self.stage
        assert g is not None
        unblocker = QComboBox()
        unblocker.addItem(tr("The job's manager"), None)

        def people_arrived(rows: list) -> None:
            for u in rows:
                if u.active:
                    unblocker.addItem(u.display_name or u.username, u.id)

        self.ops.read(users.list_users, on_done=people_arrived)
        self._ask(
            tr("Block"),
            fill(tr("Why can “{stage}” not go on?"), stage=g.name),
            lambda reason, ok, failed: self.ops.write(
                job_stages.block, g.id, reason, unblocker_id=unblocker.currentData(),
                expected_version=g.version, on_done=ok, on_error=failed,
            ),
            extra=(("unblocker_id", tr("&Unblocked by"), unblocker),),
        )  # fmt: skip

    def unblock(self) -> None:
        assert self.stage is not None
        self._write(job_stages.unblock, self.stage.id, expected_version=self.stage.version)

    def _pending_approval(self) -> int | None:
        d, g = self.detail, self.stage
        if d is None or g is None:
            return None
        return next((a.id for a in reversed(d.approvals) if a.stage_id == g.id and a.decision is None), None)

    def approve(self) -> None:
        approval = self._pending_approval()
        if approval is not None:
            self._write(approvals.decide, approval, True)

    def reject_approval(self) -> None:
        approval, g = self._pending_approval(), self.stage
        if approval is None or g is None:
            return
        self._ask(
            tr("Reject"),
            fill(tr("What is to be redone in “{stage}”? The comment goes back with it."), stage=g.name),
            lambda comment, ok, failed: self.ops.write(
                approvals.decide, approval, False, comment=comment, on_done=ok, on_error=failed
            ),
            field="comment",
        )

    def _ask(self, action: str, question: str, write, *, field: str = "reason", extra=()) -> ReasonDialog:
        title = self.stage.name if self.stage else ""
        dialog = ReasonDialog(self.ops, title, question, action, write, self, field=field, extra=extra)
        dialog.saved.connect(self.show_detail)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.reason_dialog = dialog
        return dialog

    # --- the job ---

    def move(self, status: str) -> None:
        d = self.detail
        if d is not None:
            steps.move_job(
                self,
                self.ops,
                d.id,
                d.version,
                status,
                on_done=self.show_detail,
                on_finished=lambda done: steps.offer_after_finish(
                    self, self.ops, done, self.invoice_draft_made.emit
                ),
            )

    def edit(self) -> QWidget | None:
        from crm_desktop.ui.work.job_form import JobForm

        if self.detail is None:
            return None
        form = JobForm(self.ops, self.detail, self)
        form.saved.connect(self.show_detail)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.open()
        self.form = form
        return form

    # --- files ---

    def choose_file(self) -> None:
        dialog = QFileDialog(self, tr("Attach a file to the job"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.attach(Path(path)))
        dialog.open()
        self.file_dialog = dialog

    def attach(self, path: Path) -> None:
        self.ops.write(
            job_files.attach_file, self.job_id, path, on_done=lambda _row: self.reload(), initiator=self
        )

    def _chosen_file(self) -> job_files.FileRow | None:
        item = self.files.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def open_file(self) -> None:
        chosen = self._chosen_file()
        if chosen is not None:
            self.ops.read(job_files.content, chosen.id, on_done=self._show_file)

    def _show_file(self, named: tuple[str, bytes]) -> None:
        name, content = named
        folder = Path(tempfile.mkdtemp(prefix="crm-job-file-"))
        path = folder / name
        path.write_bytes(content)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def save_file(self) -> None:
        chosen = self._chosen_file()
        if chosen is None:
            return
        dialog = QFileDialog(self, tr("Save the file as"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(chosen.name)
        dialog.fileSelected.connect(
            lambda path: self.ops.read(
                job_files.content, chosen.id, on_done=lambda named: Path(path).write_bytes(named[1])
            )
        )
        dialog.open()
        self.file_dialog = dialog

    def remove_file(self) -> None:
        chosen = self._chosen_file()
        if chosen is not None:
            self.ops.write(job_files.remove, chosen.id, on_done=lambda _none: self.reload(), initiator=self)
