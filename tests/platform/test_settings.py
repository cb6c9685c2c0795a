import os
import stat
from pathlib import Path

import pytest

from events.platform.settings import Settings, SettingsError


def test_settings_defaults_create_key_file_once(tmp_path: Path) -> None:
    env = {"MEETMATCH_DATA_DIR": str(tmp_path / "data")}

    first = Settings.from_env(env)
    second = Settings.from_env(env)

    key_file = tmp_path / "data" / "secret.key"
    assert first.secret_key == second.secret_key
    assert len(first.secret_key) >= 32
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert first.database_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'meetmatch.sqlite'}"
    assert first.base_url == "http://127.0.0.1:8000"
    assert first.secure_cookies is False


def test_settings_key_from_environment_is_used_and_no_file_written(tmp_path: Path) -> None:
    env = {"MEETMATCH_DATA_DIR": str(tmp_path / "data"), "MEETMATCH_SECRET_KEY": "k" * 40}

    settings = Settings.from_env(env)

    assert settings.secret_key == "k" * 40
    assert not (tmp_path / "data" / "secret.key").exists()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MEETMATCH_SECRET_KEY": "short"}, "MEETMATCH_SECRET_KEY: must be at least 32 characters long"),
        ({"MEETMATCH_BASE_URL": "ftp://x"}, "MEETMATCH_BASE_URL: 'ftp://x' is not a valid http or https URL"),
        (
            {"MEETMATCH_DATABASE_URL": "mysql://x/y"},
            "MEETMATCH_DATABASE_URL: unsupported database 'mysql' (use sqlite:///FILE or postgresql://...)",
        ),
    ],
)
def test_settings_bad_values_name_the_variable(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"MEETMATCH_DATA_DIR": str(tmp_path), **env})

    assert str(raised.value) == message


def test_settings_postgres_urls_use_asyncpg(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"MEETMATCH_DATA_DIR": str(tmp_path), "MEETMATCH_DATABASE_URL": "postgresql://me@127.0.0.1/test"}
    )

    assert settings.database_url == "postgresql+asyncpg://me@127.0.0.1/test"
    assert settings.is_sqlite is False


def test_settings_https_base_url_makes_cookies_secure(tmp_path: Path) -> None:
    settings = Settings.from_env({"MEETMATCH_DATA_DIR": str(tmp_path), "MEETMATCH_BASE_URL": "https://mm.example.nl/"})

    assert settings.base_url == "https://mm.example.nl"
    assert settings.secure_cookies is True
