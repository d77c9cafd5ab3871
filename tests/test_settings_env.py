"""Settings helpers: environment only, NAME_FILE for secrets, a generated key kept with mode 0600."""

import os
import stat
from pathlib import Path

import pytest
from django.conf import settings

from otpdash.env import ConfigError, env, env_bool, secret_file

ROOT = Path(__file__).resolve().parents[1]


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


def _settings_read_in_code() -> set[str]:
    import re

    names = set()
    for folder in ("otpdash", "detect", *settings.PROJECT_APPS):
        for path in (ROOT / folder).rglob("*.py"):
            names |= set(re.findall(r"\bOTPDASH_[A-Z_]+\b", path.read_text()))
    return {name for name in names if not name.endswith("_")} | {"DATABASE_URL"}


def _env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def _env_example_commented() -> set[str]:
    """Settings listed but left commented, where the image and a plain install differ."""
    import re

    return set(re.findall(r"^# (OTPDASH_[A-Z_]+)=$", (ROOT / ".env.example").read_text(), re.M))


def test_env_example_names_every_setting_the_code_reads_and_nothing_else():
    assert set(_env_example()) | _env_example_commented() == _settings_read_in_code()
    assert _env_example_commented() == {"OTPDASH_DATA_DIR", "OTPDASH_STATIC_ROOT", "OTPDASH_BIND"}


def test_the_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text()
    assert not [name for name in sorted(_settings_read_in_code()) if f"`{name}`" not in readme]


def test_env_example_as_it_stands_is_a_working_configuration(tmp_path):
    """Its empty lines mean "the default", as compose passes them: the settings load and check."""
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if not key.startswith("OTPDASH_") and key != "DATABASE_URL"}
    env.update(_env_example(), OTPDASH_DATA_DIR=str(tmp_path / "data"))
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_forms_from_the_base_url_are_trusted_behind_a_proxy_and_a_bad_base_url_is_refused(tmp_path):
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if not key.startswith("OTPDASH_")}
    env.update(OTPDASH_DATA_DIR=str(tmp_path), OTPDASH_BASE_URL="https://otp.example.org/")
    show = "from django.conf import settings; print(settings.CSRF_TRUSTED_ORIGINS)"
    good = subprocess.run([sys.executable, "manage.py", "shell", "-c", show], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert good.stdout.strip().splitlines()[-1] == "['https://otp.example.org']", good.stderr
    env["OTPDASH_BASE_URL"] = "otp.example.org"
    bad = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert bad.returncode != 0 and "OTPDASH_BASE_URL must be an http(s) address" in bad.stderr
