"""The command line run in-process, with every path under tmp."""

from __future__ import annotations

import pytest
from os_conditions import make_read_only, small_disk  # noqa: F401 - fixtures: real full disks, read-only files

from crm_desktop.cli import main


@pytest.fixture
def run(tmp_path, capsys):
    """run(*args) -> (exit code, stdout, stderr), with every path under tmp."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--base-dir", str(tmp_path / "home"), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run
