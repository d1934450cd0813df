"""Places a SQLite database must not live: a folder a cloud service keeps in sync, or a network share.

Both copy or lock the file behind SQLite's back while it is being written: a sync client uploads a
half-written database and brings another PC's copy down over it, a network file system breaks the
locks SQLite relies on (SQLite's own advice: https://www.sqlite.org/useovernet.html). Either way an
office loses data without a word. Several PCs share one database through an office server instead
(PostgreSQL, Settings → Database connection).
"""

from __future__ import annotations

import os
from pathlib import Path

# A folder of one of these names (any case), anywhere on the path, is kept in sync by its service.
SYNCED_FOLDERS = {
    "dropbox": "Dropbox",
    "onedrive": "OneDrive",
    "google drive": "Google Drive",
    "googledrive": "Google Drive",
    "my drive": "Google Drive",
    "icloud drive": "iCloud",
    "iclouddrive": "iCloud",
    "mobile documents": "iCloud",
    "yandex.disk": "Yandex.Disk",
    "yandexdisk": "Yandex.Disk",
}
CLOUD_STORAGE = (
    "cloudstorage"  # macOS keeps each provider's folder in ~/Library/CloudStorage: OneDrive-Personal
)
NETWORK_FILE_SYSTEMS = frozenset(
    {"cifs", "smb3", "smbfs", "nfs", "nfs4", "afs", "9p", "davfs", "fuse.sshfs", "fuse.rclone", "ncpfs"}
)


def synced_by(path: Path) -> str | None:
    """The cloud service whose folder holds `path`, if one does ("OneDrive - Acme" is OneDrive's)."""
    folders = path.parts[:-1]
    for n, part in enumerate(folders):
        name = part.casefold()
        if name == CLOUD_STORAGE:
            return folders[n + 1].split("-")[0] if n + 1 < len(folders) else part
        for folder, service in SYNCED_FOLDERS.items():
            if name == folder or name.startswith(f"{folder} - "):
                return service
    return None


def on_network_share(path: Path, mounts: str | None = None) -> bool:
    """Whether `path` is on another computer's disk: a Windows share (\\\\server\\share, or a drive letter
    mapped to one) or, on Linux, a mount of a network file system (`mounts` as /proc/mounts writes them)."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return True
    if os.name == "nt":
        return _windows_drive_is_remote(path)
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text()
        except OSError:  # not Linux: no table to read
            return False
    best, kind = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        if (text == point or text.startswith(point.rstrip("/") + "/")) and len(point) > len(best):
            best, kind = point, fields[2]
    return kind in NETWORK_FILE_SYSTEMS


def _windows_drive_is_remote(path: Path) -> bool:
    import ctypes

    drive = path.drive
    if not drive:
        return False
    DRIVE_REMOTE = 4  # noqa: N806 - the Win32 constant's name
    return bool(ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == DRIVE_REMOTE)  # type: ignore[attr-defined]
