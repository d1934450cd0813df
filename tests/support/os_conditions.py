"""Real operating-system conditions for tests: a full disk and read-only files.

A full disk is a small tmpfs mounted for the test and filled up, so SQLite, the log and the backup
meet a real ENOSPC. A read-only file is chmod 0444, except as root (CI), where permissions do not stop
writes: there the file gets the immutable attribute (chattr +i), which stops root too. A read-only
drive is the small disk remounted read-only. Where the system cannot give a condition (no right to
mount, no chattr on the file system), the test is skipped with the reason.

conftest files import the fixtures from here (pyproject puts tests/support on the path).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

DISK_BYTES = 4 << 20


class SmallDisk:
    def __init__(self, path: Path):
        self.path = path
        self._filler = path / "filler"

    def fill(self, leave: int = 0) -> None:
        """Take all free space but `leave` bytes (rounded to whole pages by the file system)."""
        fd = os.open(self._filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            while True:
                os.write(fd, b"\0" * 65536)
        except OSError:
            pass
        try:
            while True:
                os.write(fd, b"\0" * 512)
        except OSError:
            pass
        os.ftruncate(fd, max(0, os.fstat(fd).st_size - leave))
        os.close(fd)

    def free(self) -> int:
        return shutil.disk_usage(self.path).free

    def make_read_only(self) -> None:
        _run("mount", "-o", "remount,ro", str(self.path))


@pytest.fixture
def small_disk(tmp_path) -> Iterator[SmallDisk]:
    mount = tmp_path / "small-disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(
            f"a full disk is simulated with a small tmpfs, and mounting one was refused here: "
            f"{made.stderr.strip()}"
        )
    try:
        yield SmallDisk(mount)
    finally:
        _run("umount", "-l", str(mount))


@pytest.fixture
def make_read_only() -> Iterator[Callable[[Path], None]]:
    """make_read_only(path): the file can be read but not written, by this user, root included."""
    done: list[Path] = []

    def make(path: Path) -> None:
        if os.geteuid() != 0:
            path.chmod(0o444)
        else:
            set_ = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True, check=False)
            if set_.returncode != 0:
                pytest.skip(
                    "as root only the immutable attribute makes a file read-only, and this file system "
                    f"refused it: {set_.stderr.strip()}"
                )
        done.append(path)

    yield make
    for path in done:
        if os.geteuid() == 0:
            _run("chattr", "-i", str(path))
        else:
            path.chmod(0o644)


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)
