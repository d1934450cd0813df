"""Where data lives, which database is opened, and where server passwords go."""

from __future__ import annotations

import pytest

from crm_desktop import config
from crm_desktop.config import Paths, Settings, choose_database
from crm_desktop.db.connect import open_database


def test_database_choice_order_cli_then_env_then_setting_then_default(paths, monkeypatch):
    def chosen(cli_url=None) -> tuple[str, str | None]:
        choice = choose_database(cli_url, settings, paths)
        return choice.url, str(choice.origin) if choice.origin is not None else None  # said in English

    settings = Settings(paths.settings_file)
    assert chosen() == (f"sqlite:///{paths.default_database_file}", None)
    settings.set("database_url", "postgresql://crm@office-server/crm")
    assert chosen() == ("postgresql://crm@office-server/crm", f"in the settings file {paths.settings_file}")
    monkeypatch.setenv(config.ENV_DATABASE_URL, "sqlite:////tmp/from-env.sqlite3")
    assert chosen() == (
        "sqlite:////tmp/from-env.sqlite3",
        "in the environment variable CRM_DESKTOP_DATABASE_URL",
    )
    assert chosen("sqlite:////tmp/cli.sqlite3") == ("sqlite:////tmp/cli.sqlite3", "given with --database-url")


def test_settings_survive_a_restart_and_never_hold_a_password(paths):
    settings = Settings(paths.settings_file)
    settings.set("language", "uz")
    assert Settings(paths.settings_file).get("language") == "uz"
    with pytest.raises(ValueError, match="keyring"):
        settings.set("database_url", "postgresql://crm:secret@server/crm")
    assert "secret" not in paths.settings_file.read_text()


def test_damaged_settings_file_falls_back_to_defaults(paths):
    paths.settings_file.parent.mkdir(parents=True)
    paths.settings_file.write_text("{not json")
    assert Settings(paths.settings_file).get("database_url") is None


def test_default_paths_are_per_user_dirs_and_tests_never_use_them(paths, tmp_path):
    real = Paths.default()
    assert real.default_database_file.name == "crm.sqlite3"
    assert str(paths.data_dir).startswith(str(tmp_path))


def test_keyring_account_names_the_server_database():
    assert config.keyring_account("postgresql://anna@10.0.0.5:5433/office") == "anna@10.0.0.5:5433/office"
    assert config.keyring_account("postgresql://anna@server/office") == "anna@server:5432/office"


def test_without_a_working_keyring_the_password_is_kept_in_memory_only(postgres_url, monkeypatch):
    """The test keyring (null backend) keeps nothing: a password asked for is not written anywhere."""
    from sqlalchemy.engine import make_url

    asked = []
    needs_password = {"first": True}
    real_check = __import__("crm_desktop.db.connect", fromlist=["check_reachable"]).check_reachable

    def check(db):
        # trust auth never asks for a password: pretend the first attempt was refused for lack of one
        if needs_password.pop("first", False):
            from crm_desktop.db.engine import DatabaseOpenError

            try:
                raise RuntimeError('FATAL: password authentication failed for user "postgres"')
            except RuntimeError as cause:
                raise DatabaseOpenError("The server refused the password.") from cause
        real_check(db)

    monkeypatch.setattr("crm_desktop.db.connect.check_reachable", check)
    opened = open_database(postgres_url, ask_password=lambda where: asked.append(where) or "s3cret")
    try:
        assert asked and "s3cret" not in asked[0]
        assert opened.password_in_memory
        assert make_url(str(opened.db.engine.url.render_as_string(hide_password=False))).password == "s3cret"
        assert config.read_password(postgres_url) is None
    finally:
        opened.db.dispose()
