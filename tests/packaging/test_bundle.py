"""The one-folder bundle of packaging/crm-desktop.spec, run as it runs on a user's PC: a smoke test.

Spans packaging/, cli/, app.py, db/migrate.py, pdf/ and resources/.

It runs when CRM_BUNDLE names the built folder (.ci/run builds it and sets it; by hand:
`pyinstaller --noconfirm packaging/crm-desktop.spec && CRM_BUNDLE=dist/crm-desktop pytest tests/packaging`);
a named folder that is not there fails, it is never skipped. Each program started gets a throwaway
--base-dir, HOME and XDG folders and the null keyring, so it never touches a real user's data.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from crm_desktop import __version__, i18n
from crm_desktop.db.migrate import HEAD

REPO = Path(__file__).resolve().parents[2]
GIVEN = os.environ.get("CRM_BUNDLE")
if not GIVEN:
    pytest.skip(
        "CRM_BUNDLE is not set: build the bundle and name its folder to smoke-test it (.ci/run does)",
        allow_module_level=True,
    )
BUNDLE = Path(GIVEN).resolve()
INSIDE = BUNDLE / "_internal"
EXE = ".exe" if sys.platform == "win32" else ""
# Windows: crm-desktop.exe is the window program (no console), crm-desktop-cli.exe its console twin
CLI = BUNDLE / (f"crm-desktop-cli{EXE}" if sys.platform == "win32" else "crm-desktop")
GUI = BUNDLE / f"crm-desktop{EXE}"
LANGUAGES = i18n.LANGUAGES
TIMEOUT_S = 120
UNUSED_QT_MODULES = (
    "Network",
    "Qml",
    "Quick",
    "WebEngine",
    "Multimedia",
    "3DCore",
    "Pdf",
)
NOT_THE_APPS = (
    "tkinter",
    "pytest",
    "_pytest",
    "hypothesis",
    "mypy",
    "setuptools",
    "pypdf",
    "PySide6.QtNetwork",
)


def test_the_bundle_was_built():
    assert GUI.is_file() and CLI.is_file(), f"no built bundle in {BUNDLE}"


def _sandbox(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_DESKTOP_", "QT_"))}
    env.update(HOME=str(home), USERPROFILE=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(home / var.lower())
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


@pytest.fixture
def home(tmp_path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def crm(home):
    """crm(*args) runs the bundled command line on the base dir home/base; returns the finished process."""

    def crm(*args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(CLI), "--base-dir", str(home / "base"), *args],
            env=_sandbox(home),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=TIMEOUT_S,
        )
        assert done.returncode == expect, f"crm-desktop {' '.join(args)}: {done.returncode}\n{done.stderr}"
        return done

    return crm


def test_version(crm):
    assert crm("--version").stdout.strip() == f"crm-desktop {__version__}"


def test_db_upgrade_creates_a_sqlite_database_in_the_base_dir(crm, home):
    assert crm("db", "upgrade").stdout.strip() == HEAD


def test_a_report_is_printed_by_the_bundled_cli(crm, home):
    crm("db", "upgrade")
    assert "Sales funnel" in crm("report", "list").stdout
    printed = crm("report", "receivables_ageing").stdout
    assert printed.startswith("Receivables by age") and "nothing to count" in printed  # a new database
    assert (home / "base" / "data" / "crm.sqlite3").is_file()
    assert crm("db", "current").stdout.strip() == HEAD


def test_an_import_reads_a_cp1251_file_and_an_xlsx_with_the_bundled_readers(crm, home):
    """charset-normalizer, python-calamine and phonenumbers' per-country data come along in the bundle."""
    data = Path(__file__).resolve().parents[1] / "data"
    crm("db", "upgrade")
    done = crm("import", "clients", str(data / "clients_cp1251.csv"), "--country", "RU", "--dry-run")
    assert "cp1251" in done.stderr and "3 to import as new" in done.stdout
    done = crm("import", "deals", str(data / "deals_merged_header.xlsx"), "--country", "UZ", "--dry-run")
    assert "2 to import as new" in done.stdout


def _text(pdf: Path) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_an_invoice_pdf_with_the_bundled_fonts_reads_as_the_checkouts_in_each_language(crm, home):
    """Fonts, translations and CLDR data missing from the bundle would show as a PDF that differs from
    the one the checkout's app writes of the same invoice."""
    from pypdf import PdfReader

    crm("demo-data", "--clients", "30", "--seed", "7")
    invoices = json.loads(crm("invoices", "list", "--format", "json").stdout)
    assert invoices, "the demo office has no invoice"
    number = invoices[0]["number"]
    target = home / "invoice.pdf"
    crm("invoice", "pdf", number, "-o", str(target))
    assert number in _text(target)  # (the client's name may be Arabic, drawn in visual order: not compared)
    pdf = PdfReader(target)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in pdf.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVuSans" in font for font in fonts), fonts  # resources/fonts, embedded
    for language in LANGUAGES:
        written = {}
        for name, program in (("bundle", [str(CLI)]), ("checkout", [sys.executable, "-m", "crm_desktop"])):
            written[name] = home / f"{language}.{name}.pdf"
            done = subprocess.run(
                [
                    *program,
                    "--base-dir",
                    str(home / "base"),
                    "invoice",
                    "pdf",
                    number,
                    "-o",
                    str(written[name]),
                    "--language",  # the document's language (the command's own is the environment's)
                    language,
                ],
                env=_sandbox(home, CRM_DESKTOP_LANGUAGE=language),
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
            )
            assert done.returncode == 0, f"{name}, {language}: {done.stderr}"
        assert _text(written["bundle"]) == _text(written["checkout"]), language
        if language in ("ru", "uz"):  # written in the language's words, from the bundled catalogue
            assert i18n.gettext("Subtotal", language) in _text(written["bundle"]), language


@contextmanager
def _one_migration_at_a_time() -> Iterator[None]:
    """The lock file through which the suite's migrations take turns on the shared PostgreSQL server
    (tests/conftest.py: two at once fail with "tuple concurrently updated" on its roles and grants)."""
    import fcntl

    with (Path(tempfile.gettempdir()) / "crm-desktop-tests-migrations.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.mark.skipif(sys.platform == "win32", reason="the PostgreSQL runs of the tests are on Linux")
def test_db_upgrade_on_postgresql_through_the_bundled_driver(postgres_url, home):
    with _one_migration_at_a_time():
        done = subprocess.run(
            [str(CLI), "--base-dir", str(home / "base"), "--database-url", postgres_url, "db", "upgrade"],
            env=_sandbox(home),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    assert (done.returncode, done.stdout.strip()) == (0, HEAD), done.stderr


def _open_window(home: Path, **env: str) -> str:
    """Start the window on a demo office, wait until it reports its first paint of a page with data
    (CRM_DESKTOP_REPORT_READY, the start-up benchmark's report), then stop it; returns what it printed."""
    subprocess.run(
        [str(CLI), "--base-dir", str(home / "base"), "demo-data", "--clients", "30", "--seed", "7"],
        env=_sandbox(home),
        check=True,
        capture_output=True,
        timeout=TIMEOUT_S,
    )
    ready, output = home / "ready.json", home / "window.out"
    with output.open("w", encoding="utf-8") as out:
        window = subprocess.Popen(
            [str(GUI), "--base-dir", str(home / "base")],
            # QT_FORCE_STDERR_LOGGING: a Windows program without a console would log to the debugger
            env=_sandbox(
                home,
                CRM_DESKTOP_REPORT_READY=str(ready),
                QT_DEBUG_PLUGINS="1",
                QT_FORCE_STDERR_LOGGING="1",
                **env,
            ),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + TIMEOUT_S
            while not ready.exists() and window.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            still_running = window.poll() is None
        finally:
            window.kill()
            window.wait(TIMEOUT_S)
    printed = output.read_text(encoding="utf-8", errors="replace")
    assert still_running and ready.exists(), f"the window did not show its first page:\n{printed[-4000:]}"
    assert json.loads(ready.read_text(encoding="utf-8"))["page"]
    assert "Traceback" not in printed, printed
    log = home / "base" / "logs" / "crm-desktop.log"
    assert not log.exists() or "Traceback" not in log.read_text(encoding="utf-8"), log.read_text()
    return printed


def _loaded(printed: str, plugin: str) -> bool:
    """Whether Qt's plugin debug output says it loaded `plugin` (e.g. "iconengines/qsvgicon")."""
    folder, name = plugin.split("/")
    pattern = rf"{folder}[/\\](lib)?{re.escape(name)}\.(so|dll|dylib)\"? loaded library"
    return re.search(pattern, printed) is not None


def test_the_window_opens_offscreen_in_arabic_with_its_svg_icon(home):
    printed = _open_window(home, CRM_DESKTOP_LANGUAGE="ar")  # mirrored, its catalogue read from the bundle
    assert _loaded(printed, "platforms/qoffscreen"), printed[-4000:]
    assert _loaded(printed, "iconengines/qsvgicon"), printed[-4000:]  # the window icon is an SVG


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("Xvfb"), reason="needs Xvfb")
def test_the_window_opens_on_an_x_server(home):
    """The platform plugin Linux desktops load (xcb), with the X libraries the bundle carries."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end) as numbers:
            display = ":" + numbers.readline().strip()
        printed = _open_window(home, DISPLAY=display, QT_QPA_PLATFORM="xcb")
        assert _loaded(printed, "platforms/qxcb"), printed[-4000:]
    finally:
        server.kill()
        server.wait(TIMEOUT_S)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd is Linux's")
def test_every_bundled_library_finds_what_it_links():
    """What PyInstaller could not find on the build machine is missing from the bundle (libxcb-cursor0 for
    the xcb platform plugin, say): it shows here as "not found", with the bundle's folders searched first
    as its bootloader does."""
    env = dict(
        os.environ, LD_LIBRARY_PATH=os.pathsep.join(map(str, (INSIDE, INSIDE / "PySide6" / "Qt" / "lib")))
    )
    missing = {}
    for library in sorted(INSIDE.rglob("*.so*")):
        if library.is_file() and not library.is_symlink():
            found = subprocess.run(["ldd", str(library)], capture_output=True, text=True, env=env).stdout
            if lost := [line.split()[0] for line in found.splitlines() if "not found" in line]:
                missing[library.relative_to(INSIDE).as_posix()] = lost
    assert not missing, missing


def _files(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_it_carries_the_migrations_and_every_resource_the_wheel_ships():
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    shipped = {"__init__.py"}
    for pattern in setuptools["package-data"]["crm_desktop.resources"]:
        shipped |= {
            p.relative_to(REPO / "resources").as_posix()
            for p in (REPO / "resources").glob(pattern)
            if p.is_file()
        }
    assert {"icons/crm-desktop.svg", "fonts/DejaVuSans.ttf", "help/getting_started.en.html"} <= shipped
    assert shipped <= _files(INSIDE / "crm_desktop" / "resources")
    assert _files(REPO / "migrations") <= _files(INSIDE / "crm_desktop" / "migrations")
    versions = INSIDE / "crm_desktop" / "migrations" / "versions"
    assert any(p.name.startswith(HEAD) for p in versions.glob("*.py"))


def _qt_plugins() -> set[str]:
    plugins = INSIDE / "PySide6" / "Qt" / "plugins"  # Windows: PySide6/plugins
    if not plugins.is_dir():
        plugins = INSIDE / "PySide6" / "plugins"
    return {
        f"{p.parent.relative_to(plugins).as_posix()}/{p.name.split('.')[0].removeprefix('lib')}"
        for p in plugins.rglob("*")
        if p.is_file()
    }


def test_qt_is_cut_to_what_the_app_uses():
    plugins = _qt_plugins()
    assert {"iconengines/qsvgicon", "imageformats/qsvg", "imageformats/qjpeg", "platforms/qoffscreen"} <= (
        plugins
    )
    native = {"linux": "platforms/qxcb", "win32": "platforms/qwindows", "darwin": "platforms/qcocoa"}
    assert native[sys.platform if sys.platform in native else "linux"] in plugins
    unwanted = {"platformthemes/qgtk3", "platforms/qeglfs", "platforms/qlinuxfb", "platforms/qvnc"}
    assert not plugins & unwanted
    dropped_folders = ("egldeviceintegrations", "generic", "tls", "sqldrivers")
    assert not {p for p in plugins if p.split("/")[0] in dropped_folders}
    assert {p.split("/")[1] for p in plugins if p.startswith("imageformats/")} <= {"qsvg", "qjpeg", "qico"}
    names = " ".join(p.name for p in INSIDE.rglob("*") if p.is_file())
    for module in UNUSED_QT_MODULES:
        assert not re.search(rf"Qt6?{module}\b|Qt{module}\.", names), f"Qt {module} is in the bundle"
    assert not re.search(r"libgtk-3|libgdk-3", names)  # the GTK theme plugin's libraries
    assert re.search(r"Qt6?Charts", names) and re.search(r"Qt6?PrintSupport", names)  # charts, printing
    for translation in (INSIDE / "PySide6").rglob("*.qm"):
        base, _, language = translation.stem.partition("_")
        assert base == "qtbase" and language in LANGUAGES, translation.name


def test_no_tests_tools_or_other_toolkits_inside():
    from PyInstaller.archive.readers import CArchiveReader

    modules = set(CArchiveReader(str(GUI)).open_embedded_archive("PYZ.pyz").toc)
    assert {"crm_desktop.app", "crm_desktop.cli", "alembic.runtime.migration", "psycopg"} <= modules
    for unwanted in NOT_THE_APPS:
        assert not {m for m in modules if m == unwanted or m.startswith(f"{unwanted}.")}, unwanted
    assert not {m for m in modules if m.startswith(("alembic.testing", "sqlalchemy.testing"))}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the .desktop file is for Linux")
def test_the_linux_menu_entry_travels_with_it():
    entry = (BUNDLE / "crm-desktop.desktop").read_text(encoding="utf-8")
    assert entry == (REPO / "packaging" / "crm-desktop.desktop").read_text(encoding="utf-8")
    assert (INSIDE / "crm_desktop" / "resources" / "icons" / "crm-desktop.svg").is_file()
