"""Shared fixtures: isolated dirs and keyring, and a fresh database per test on SQLite and PostgreSQL.

`db` (and everything built on it) is parametrised over both databases. PostgreSQL runs when
CRM_TEST_POSTGRES_URL is set (CI sets it); each test gets its own database there, dropped afterwards:
a migrated one is a copy of a template migrated once per run (~50 ms instead of a ~1 s migration), an
empty one (`postgres_url`) a fresh schema.
Shared-mode tests (`pg_ctx`, `server_login`) run on a private server started with initdb whose
logins must give their password (SCRAM), since the CI server trusts every local login.
"""

from __future__ import annotations

import atexit
import email
import functools
import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email import policy
from pathlib import Path

# Before anything imports Qt or keyring: no screen, no real keyring, no real user dirs.
_SANDBOX = Path(tempfile.mkdtemp(prefix="crm-tests-home-"))
atexit.register(shutil.rmtree, _SANDBOX, ignore_errors=True)
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
for _var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[_var] = str(_SANDBOX / _var.lower())
os.environ.pop("CRM_DESKTOP_DATABASE_URL", None)

import pytest  # noqa: E402
from alembic import command as alembic_command  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from crm_desktop.config import Paths  # noqa: E402
from crm_desktop.db.engine import Database  # noqa: E402
from crm_desktop.db.migrate import upgrade  # noqa: E402
from crm_desktop.services import mail  # noqa: E402
from crm_desktop.services.context import FixedClock, ServiceContext  # noqa: E402

POSTGRES_URL = os.environ.get("CRM_TEST_POSTGRES_URL")

# The run is spread over processes (pytest-xdist) that share the CI server. Migrations change rows every
# database of a server shares (roles, and the grants on the database `test` that the schemas live in),
# and two at once fail with "tuple concurrently updated": they take turns, through a lock file. A migration
# commits only when its caller's transaction does, after alembic has returned, so the turn lasts until the
# test that migrated is over.
_MIGRATION_LOCK = Path(tempfile.gettempdir()) / "crm-desktop-tests-migrations.lock"
_migration_turn: list = []  # the open lock file while this process has the turn


def _take_the_migration_turn() -> None:
    if _migration_turn or os.name == "nt":  # PostgreSQL runs of the tests are on Linux
        return
    import fcntl

    lock = _MIGRATION_LOCK.open("a")
    fcntl.flock(lock, fcntl.LOCK_EX)
    _migration_turn.append(lock)


def _give_the_migration_turn_back() -> None:
    while _migration_turn:
        _migration_turn.pop().close()  # closing the file releases its lock


@contextmanager
def _one_migration_at_a_time() -> Iterator[None]:
    held = bool(_migration_turn)
    _take_the_migration_turn()
    try:
        yield
    finally:
        if not held:
            _give_the_migration_turn_back()


def _taking_turns(migrate):
    @functools.wraps(migrate)
    def taking_turns(cfg, *args, **kwargs):
        if cfg.attributes["connection"].dialect.name == "postgresql":  # a SQLite file is the test's own
            _take_the_migration_turn()
        return migrate(cfg, *args, **kwargs)

    return taking_turns


alembic_command.upgrade = _taking_turns(alembic_command.upgrade)
alembic_command.downgrade = _taking_turns(alembic_command.downgrade)


@pytest.fixture(autouse=True)
def _migrations_take_turns() -> Iterator[None]:
    yield
    _give_the_migration_turn_back()


NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _postgres_server_url() -> str:
    url = make_url(POSTGRES_URL)
    return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def _with_trgm(server_url: str) -> None:
    """pg_trgm lives in `public` once; each test's schema finds it through the search path."""
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with _one_migration_at_a_time(), engine.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
    engine.dispose()


@pytest.fixture(autouse=True)
def speaks_english() -> Iterator[None]:
    """Every test starts in English and the next one does too, whatever language this one chose (the
    catalogue, Qt's translators, the default locale and the direction are the process's)."""
    import sys

    from crm_desktop import i18n

    yield
    i18n.set_language(i18n.SOURCE_LANGUAGE)
    if "crm_desktop.ui.translator" in sys.modules and (
        app := sys.modules["PySide6.QtCore"].QCoreApplication.instance()
    ):
        from crm_desktop.ui import translator

        translator.uninstall(app)


@pytest.fixture(scope="session")
def _postgres_ready() -> None:
    _with_trgm(_postgres_server_url())


def _schema_url(server_url: str) -> Iterator[str]:
    """A URL whose tables all land in a fresh schema that is dropped after the test."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema},public"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url(request) -> Iterator[str]:
    """A fresh schema on the CI server (CRM_TEST_POSTGRES_URL)."""
    if not POSTGRES_URL:
        pytest.skip("CRM_TEST_POSTGRES_URL is not set")
    request.getfixturevalue("_postgres_ready")
    yield from _schema_url(_postgres_server_url())


def _postgres_binaries() -> Path:
    """The server programs of the installed PostgreSQL (`pg_config --bindir`, or CRM_TEST_PG_BINDIR)."""
    given = os.environ.get("CRM_TEST_PG_BINDIR")
    if given:
        return Path(given)
    try:
        found = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        found = ""
    if not found or not (Path(found) / "initdb").exists():
        pytest.fail(
            "CRM_TEST_POSTGRES_URL is set but no initdb was found for the password-checking test server: "
            "install PostgreSQL's server package or set CRM_TEST_PG_BINDIR"
        )
    return Path(found)


@contextmanager
def private_server(bindir: Path, database: str = "crm") -> Iterator[str]:
    """A throwaway PostgreSQL server made with initdb from `bindir`, and the URL of its `database`
    for its superuser (who connects without a password, as an office's administrator would set
    things up); every other login must give its password (SCRAM)."""
    base = Path(tempfile.mkdtemp(prefix="crm-test-pg-"))
    # PostgreSQL refuses to run as root: CI's root runs the server as the postgres user instead.
    as_server = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_server:
        shutil.chown(base, "postgres")
    data, port = base / "data", free_port()
    subprocess.run(
        [*as_server, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync"],
        check=True,
        capture_output=True,
    )
    (data / "pg_hba.conf").write_text(
        "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
    )
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *as_server,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-l",
            str(base / "log"),
            "-o",
            options,
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        engine = create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", isolation_level="AUTOCOMMIT"
        )
        with engine.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {database}"))
        engine.dispose()
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"
    finally:
        subprocess.run(
            [*as_server, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def scram_server() -> Iterator[str]:
    """The installed PostgreSQL as a private server whose CRM logins must give their passwords."""
    if not POSTGRES_URL:
        pytest.skip("CRM_TEST_POSTGRES_URL is not set")
    with private_server(_postgres_binaries()) as url:
        _with_trgm(url)
        yield url


@pytest.fixture(scope="session")
def postgres16_server() -> Iterator[str]:
    """A private PostgreSQL 16 server from pgserver's binaries (a test extra on Linux), copied where
    the postgres user may run them; no pg_trgm there, so no CRM schema either."""
    if not POSTGRES_URL:
        pytest.skip("CRM_TEST_POSTGRES_URL is not set")
    found = importlib.util.find_spec("pgserver")
    if found is None or not found.submodule_search_locations:
        pytest.skip("pgserver (PostgreSQL 16 binaries) is not installed: pip install -e '.[test]' on Linux")
    copy = Path(tempfile.mkdtemp(prefix="crm-pg16-"))
    try:
        copy.chmod(0o755)
        package = Path(found.submodule_search_locations[0])
        # the binaries find their libraries at $ORIGIN/../../../pgserver.libs (as the wheel laid them out)
        shutil.copytree(package.parent / "pgserver.libs", copy / "pgserver.libs")
        for part in ("bin", "lib", "share"):
            shutil.copytree(package / "pginstall" / part, copy / "pgserver" / "pginstall" / part)
        with private_server(copy / "pgserver" / "pginstall" / "bin", database="crm16") as url:
            yield url
    finally:
        shutil.rmtree(copy, ignore_errors=True)


@pytest.fixture
def scram_postgres_url(scram_server) -> Iterator[str]:
    """A fresh schema on the password-checking server."""
    yield from _schema_url(scram_server)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'crm.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request) -> str:
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


def _migrated(url: str) -> Iterator[Database]:
    db = Database.open(url)
    upgrade(db)
    try:
        yield db
    finally:
        db.dispose()


_TEMPLATE_SCHEMA = "crm_test"  # the same name in every copy: the migrated functions name their schema


def _in_database(server_url: str, database: str) -> str:
    url = make_url(server_url).set(database=database)
    url = url.update_query_dict({"options": f"-csearch_path={_TEMPLATE_SCHEMA},public"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _templates() -> Iterator[dict[str, str]]:
    """Per server URL, its database migrated to head (made on first use, dropped after the run)."""
    made: dict[str, str] = {}
    yield made
    for server_url, name in made.items():
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except OperationalError:  # a private server of the run stopped first: gone with it
            pass
        admin.dispose()


def _template(server_url: str, templates: dict[str, str]) -> str:
    if server_url not in templates:
        name = f"crm_template_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = _in_database(server_url, name)
        setup = create_engine(make_url(url).set(query={}), isolation_level="AUTOCOMMIT")
        with setup.connect() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
            conn.execute(text(f'CREATE SCHEMA "{_TEMPLATE_SCHEMA}"'))
        setup.dispose()
        for _db in _migrated(url):  # disposed at once: a template with a session open cannot be copied
            pass
        templates[server_url] = name
    return templates[server_url]


def _migrated_copy(server_url: str, templates: dict[str, str]) -> Iterator[Database]:
    """A migrated database of its own on `server_url`: a copy of the run's template, dropped after."""
    template = _template(server_url, templates)
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        # Rights on a database are never copied with it: what migration 0006 revoked, revoke again.
        conn.execute(text(f'REVOKE TEMPORARY ON DATABASE "{name}" FROM PUBLIC'))
    try:
        yield from _migrated(_in_database(server_url, name))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """One SQLite file migrated to head for the run; each test's database starts as a copy of it
    (migrating every test's file took ~1.5 s of its setup)."""
    path = tmp_path_factory.mktemp("template") / "crm.sqlite3"
    for _db in _migrated(f"sqlite:///{path}"):
        pass
    assert not path.with_name(path.name + "-wal").exists()  # closing folded the log into the file
    return path


def _migrated_sqlite(request) -> Iterator[Database]:
    url = request.getfixturevalue("sqlite_url")
    shutil.copyfile(request.getfixturevalue("_sqlite_template"), make_url(url).database)
    yield from _migrated(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request) -> Iterator[Database]:
    """A migrated database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield from _migrated_sqlite(request)
        return
    if not POSTGRES_URL:
        pytest.skip("CRM_TEST_POSTGRES_URL is not set")
    yield from _migrated_copy(_postgres_server_url(), request.getfixturevalue("_templates"))


@pytest.fixture
def sqlite_db(request) -> Iterator[Database]:
    yield from _migrated_sqlite(request)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def ctx(db, clock) -> ServiceContext:
    return ServiceContext(db, clock=clock)


@pytest.fixture
def sqlite_ctx(sqlite_db, clock) -> ServiceContext:
    return ServiceContext(sqlite_db, clock=clock)


@pytest.fixture
def paths(tmp_path) -> Paths:
    return Paths.under(tmp_path / "home")


@pytest.fixture
def audit_rows(ctx):
    """audit_rows(entity, entity_id) -> [(action, changes)] oldest first."""
    from sqlalchemy import select

    from crm_desktop.db.models import AuditEntry

    def rows(entity: str, entity_id: int | None = None):
        q = select(AuditEntry.action, AuditEntry.changes).where(AuditEntry.entity == entity)
        if entity_id is not None:
            q = q.where(AuditEntry.entity_id == entity_id)
        with ctx.read() as s:
            return [tuple(r) for r in s.execute(q.order_by(AuditEntry.id))]

    return rows


@pytest.fixture
def staff(ctx):
    """Two staff members and a manager of the first, as ServiceContexts."""
    from crm_desktop.services import users
    from crm_desktop.services.context import Actor

    boss = users.create(ctx, username="olga", display_name="Olga", role="manager")
    a = users.create(ctx, username="dilnoza", display_name="Dilnoza", manager_id=boss.id)
    b = users.create(ctx, username="rashad", display_name="Rashad")
    as_ctx = lambda u: ServiceContext(ctx.db, actor=Actor(u.id, u.username, u.role), clock=ctx.clock)  # noqa: E731
    return {"manager": as_ctx(boss), "dilnoza": as_ctx(a), "rashad": as_ctx(b)}


@pytest.fixture
def another_pc_saves_first():
    """A context manager: just before the next unit of work writes, another PC saves the same row.

    On PostgreSQL the rival commits on its own connection. SQLite lets one writer in at a time, so
    there the rival's write can only land inside our transaction: the same race, seen from the row.
    """
    from contextlib import contextmanager

    from sqlalchemy import event
    from sqlalchemy.orm import Session

    @contextmanager
    def race(ctx, table, row_id):
        bump = text(f"UPDATE {table} SET version = version + 1 WHERE id = :id")
        fired = []

        def rival(session, *_):
            if fired:
                return
            fired.append(True)
            if ctx.db.is_sqlite:
                session.connection().execute(bump, {"id": row_id})
            else:
                with ctx.db.engine.begin() as conn:
                    conn.execute(bump, {"id": row_id})

        event.listen(Session, "before_flush", rival)
        try:
            yield
        finally:
            event.remove(Session, "before_flush", rival)
        assert fired, "the unit of work never wrote"

    return race


# --- a real SMTP server on localhost (user "office", password "secret") ----------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult

    return AuthResult(success=auth_data.login == b"office" and auth_data.password == b"secret", handled=False)


@pytest.fixture
def unused_port() -> int:
    """A local port nothing listens on: a mail or database server that cannot be reached."""
    return free_port()


@pytest.fixture
def smtp_server():
    """(inbox, SmtpSettings) of a server that takes mail into inbox.messages."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticate, auth_require_tls=False
    )
    controller.start()
    yield inbox, mail.SmtpSettings("127.0.0.1", controller.port, "none", "office", "")
    controller.stop()


# --- shared mode: CRM users with server logins ---------------------------------------------------------


@pytest.fixture
def pg_ctx(scram_server, _templates, clock) -> Iterator[ServiceContext]:
    """A ServiceContext on PostgreSQL only (the password-checking server), connected as the server's
    superuser (the owner)."""
    for db in _migrated_copy(scram_server, _templates):
        yield ServiceContext(db, clock=clock)


@pytest.fixture
def server_login(pg_ctx):
    """server_login(username, role="staff", manager=None, can_export=False) -> (UserRow, ServiceContext
    connected as that user's own PostgreSQL login). PostgreSQL only; the logins are dropped afterwards."""
    from crm_desktop.services import users

    ctx = pg_ctx
    made: list[tuple[str, Database]] = []
    suffix = uuid.uuid4().hex[:6]

    def make(username: str, role: str = "staff", manager=None, can_export: bool = False):
        name = f"{username}_{suffix}"
        password = f"pw-{uuid.uuid4().hex}"
        row = users.create(
            ctx,
            username=name,
            display_name=username.title(),
            role=role,
            manager_id=manager.id if manager else None,
            can_export=can_export,
            password=password,
        )
        url = ctx.db.engine.url.set(username=name, password=password)
        db = Database.open(url)
        made.append((name, db))
        return row, ServiceContext(db, actor=users.sign_in(db), clock=ctx.clock)

    yield make
    admin = create_engine(ctx.db.engine.url.set(query={}), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name, db in made:
            db.dispose()
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :n"), {"n": name}
            )
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    admin.dispose()
