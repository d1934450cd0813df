"""Where things live on disk, the saved settings, and secrets in the OS keyring.

Every path comes from one `Paths` object so tests and `--base-dir` runs can point the whole app at
a throwaway folder and never touch the real user directories.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_desktop import APP_ID

if TYPE_CHECKING:
    from crm_desktop.db.urls import Origin

KEYRING_SERVICE = "crm-desktop"
ENV_DATABASE_URL = "CRM_DESKTOP_DATABASE_URL"


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    config_dir: Path
    log_dir: Path

    @classmethod
    def default(cls) -> Paths:
        import platformdirs

        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_ID, appauthor=False)),
            config_dir=Path(platformdirs.user_config_dir(APP_ID, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_ID, appauthor=False)),
        )

    @classmethod
    def under(cls, base: Path) -> Paths:
        """All paths inside one folder (tests, `--base-dir`, the demo)."""
        return cls(data_dir=base / "data", config_dir=base / "config", log_dir=base / "logs")

    @property
    def default_database_file(self) -> Path:
        return self.data_dir / "crm.sqlite3"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "crm-desktop.log"


class Settings:
    """Small JSON settings file. Declared defaults live here, so a missing key never surprises."""

    DEFAULTS: dict[str, Any] = {
        "database_url": None,  # None: the default SQLite file
        "language": None,  # None: the system language
        "import_mappings": {},  # name → an import's mapping (services/import_fields.Mapping.to_json)
        "backup_folder": None,  # None: backups/ beside the database (Settings → Backups)
        "backup_daily": True,  # the day's backup made while the window runs
    }

    def __init__(self, path: Path):
        self.path = path
        self._values: dict[str, Any] = dict(self.DEFAULTS)
        if path.exists():
            # A damaged settings file must not keep the app from starting; defaults apply.
            with contextlib.suppress(OSError, ValueError):
                self._values.update(json.loads(path.read_text(encoding="utf-8")))

    def get(self, key: str) -> Any:
        return self._values.get(key, self.DEFAULTS.get(key))

    def set(self, key: str, value: Any) -> None:
        if key == "database_url" and value and "@" in value and _url_has_password(value):
            raise ValueError("A password never goes into the settings file; it is kept in the keyring.")
        self._values[key] = value
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._values, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)  # atomic: a crash never leaves half a settings file


def _url_has_password(url: str) -> bool:
    from sqlalchemy.engine import make_url

    return make_url(url).password is not None


@dataclass(frozen=True)
class DatabaseChoice:
    url: str
    origin: Origin | None  # where the URL came from, for a message when it is wrong; None: the default file


def choose_database(cli_url: str | None, settings: Settings, paths: Paths) -> DatabaseChoice:
    """First wins: the command line, the environment, the saved setting, the default file. A plain
    file path is taken as that SQLite file."""
    from crm_desktop.db.urls import url_of
    from crm_desktop.i18n import Message

    for candidate, origin in (
        (cli_url, Message("given with --database-url")),
        (
            os.environ.get(ENV_DATABASE_URL),
            Message("in the environment variable {name}", name=ENV_DATABASE_URL),
        ),
        (settings.get("database_url"), Message("in the settings file {path}", path=str(settings.path))),
    ):
        if candidate:
            return DatabaseChoice(url_of(candidate), origin)
    return DatabaseChoice(f"sqlite:///{paths.default_database_file}", None)


def keyring_account(url: str) -> str:
    """The keyring entry for a server database: user@host:port/database."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return f"{u.username}@{u.host or 'localhost'}:{u.port or 5432}/{u.database}"


class KeyringUnavailable(Exception):
    """No working keyring backend: the caller asks for the password and keeps it in memory."""


def read_password(url: str) -> str | None:
    return read_secret(keyring_account(url))


def store_password(url: str, password: str) -> None:
    store_secret(keyring_account(url), password)


def read_secret(account: str) -> str | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, account)
    except (
        KeyringError,
        RuntimeError,
    ) as exc:  # some backends raise plain RuntimeError when locked or absent
        raise KeyringUnavailable(str(exc)) from exc


def store_secret(account: str, secret: str) -> None:
    """Keep `secret` in the keyring and read it back, so a keyring that silently drops it is caught."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, account, secret)
        stored = keyring.get_password(KEYRING_SERVICE, account)
    except (KeyringError, RuntimeError) as exc:
        raise KeyringUnavailable(str(exc)) from exc
    if stored != secret:
        raise KeyringUnavailable("The keyring did not keep the password.")
