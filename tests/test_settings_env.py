"""Settings helpers: environment only, NAME_FILE for secrets, a generated key kept with mode 0600."""

import stat

import pytest

from otpdash.env import ConfigError, env, env_bool, secret_file


def test_secret_is_generated_once_with_owner_only_mode(tmp_path):
    path = tmp_path / "data" / "secret_key"
    first = secret_file(path)
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_file(path) == first


def test_file_variant_is_read(tmp_path, monkeypatch):
    secret = tmp_path / "key"
    secret.write_text("from-a-file\n")
    monkeypatch.delenv("OTPDASH_X", raising=False)
    monkeypatch.setenv("OTPDASH_X_FILE", str(secret))
    assert env("OTPDASH_X") == "from-a-file"


def test_unreadable_file_variant_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("OTPDASH_X", raising=False)
    monkeypatch.setenv("OTPDASH_X_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="OTPDASH_X_FILE"):
        env("OTPDASH_X")


@pytest.mark.parametrize("value, expected", [("true", True), ("false", False), ("TRUE", True)])
def test_bool_accepts_true_and_false(value, expected, monkeypatch):
    monkeypatch.setenv("OTPDASH_FLAG", value)
    assert env_bool("OTPDASH_FLAG", False) is expected


def test_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("OTPDASH_FLAG", "yes")
    with pytest.raises(ConfigError, match="true or false"):
        env_bool("OTPDASH_FLAG", False)
