"""A SQLite database is refused in a folder a cloud service keeps in sync and on a network share, in words
that say where to keep it instead; nothing is made there."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_desktop.db.engine import Database
from crm_desktop.db.problems import DatabaseOpenError
from crm_desktop.db.unsafe_places import on_network_share, synced_by


@pytest.mark.parametrize(
    ("folder", "service"),
    [
        ("Dropbox", "Dropbox"),
        ("OneDrive - Ipak Yoʻli LLC", "OneDrive"),
        ("Google Drive", "Google Drive"),
        ("iCloud Drive", "iCloud"),
        ("Yandex.Disk", "Yandex.Disk"),
        ("Library/CloudStorage/GoogleDrive-aziz@example.uz", "GoogleDrive"),
    ],
)
def test_a_database_in_a_synced_folder_is_refused_and_nothing_is_made_there(tmp_path, folder, service):
    target = tmp_path / folder / "office" / "crm.sqlite3"
    with pytest.raises(DatabaseOpenError) as refused:
        Database.open(f"sqlite:///{target}")
    said = str(refused.value)
    assert service in said and str(target) in said and "Settings → Database connection" in said
    assert not (tmp_path / folder).exists()  # not even the folder


def test_a_folder_that_only_looks_like_one_is_fine(tmp_path):
    target = tmp_path / "dropbox-notes" / "OneDriveBackup" / "crm.sqlite3"
    assert synced_by(target) is None
    Database.open(f"sqlite:///{target}").dispose()


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
//nas/office /mnt/office cifs rw,vers=3.0 0 0
/dev/sdb1 /mnt/office/local\\040disk ext4 rw 0 0
nas:/export /home/aziz/shared nfs4 rw 0 0
tmpfs /tmp tmpfs rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "remote"),
    [
        ("/mnt/office/crm.sqlite3", True),
        ("/home/aziz/shared/crm/crm.sqlite3", True),
        ("/mnt/officeX/crm.sqlite3", False),  # a neighbour of the share's mount point
        ("/mnt/office/local disk/crm.sqlite3", False),  # a local disk mounted inside the share
        ("/home/aziz/crm.sqlite3", False),
    ],
)
def test_a_network_mount_is_told_from_a_local_disk(path, remote):
    assert on_network_share(Path(path), MOUNTS) is remote


def test_a_windows_share_path_is_a_network_share():
    assert on_network_share(Path("//nas/office/crm.sqlite3"))
