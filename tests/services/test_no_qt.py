"""Services are plain Python: the CLI, tests and benchmarks use them without Qt.

Spans services/, db/ and cli/: each is imported in a fresh interpreter where Qt cannot be loaded.
"""

import subprocess
import sys

BLOCK_QT = """
import importlib.abc, sys
class NoQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6'):
            raise ImportError('services must not import Qt: ' + name)
sys.meta_path.insert(0, NoQt())
import pkgutil, importlib, crm_desktop.services as pkg
names = [m.name for m in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + '.')]
for name in names:
    importlib.import_module(name)
import crm_desktop.cli, crm_desktop.db.connect
print(len(names))
"""


def test_every_service_module_imports_with_qt_blocked():
    run = subprocess.run([sys.executable, "-c", BLOCK_QT], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert int(run.stdout) >= 8  # clients, deals, tasks, activities, invoices, money, users, search...


def test_the_blocker_really_blocks_qt():
    run = subprocess.run(
        [sys.executable, "-c", BLOCK_QT.replace("print(len(names))", "import PySide6.QtCore")],
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0 and "services must not import Qt" in run.stderr
