"""The settings the product ships with, read from the module (not the test overrides)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from subprocess import PIPE

from weibao.config import settings as shipped


def test_passwords_are_hashed_with_argon2() -> None:
    assert shipped.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_sqlite_runs_in_wal_mode_with_full_sync() -> None:
    options = shipped._databases()["default"].get("OPTIONS", {})
    if shipped.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert "journal_mode=WAL" in options["init_command"]
        assert "synchronous=FULL" in options["init_command"]


def test_a_new_data_directory_is_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    env = {**os.environ, "WEIBAO_DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, "-c", "import weibao.config.settings"], env=env, check=True)
    assert data_dir.stat().st_mode & 0o777 == 0o700


def test_processes_starting_at_once_on_a_new_data_directory_share_one_secret_key(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k != "WEIBAO_SECRET_KEY"} | {"WEIBAO_DATA_DIR": str(data_dir)}
    code = "from weibao.config import settings; print(settings.SECRET_KEY)"
    starts = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=PIPE, stderr=PIPE, text=True) for _ in range(8)
    ]
    results = [start.communicate(timeout=120) for start in starts]
    assert [start.returncode for start in starts] == [0] * 8, [err for _out, err in results]
    keys = {out.strip() for out, _err in results}
    assert len(keys) == 1
    assert keys == {(data_dir / "secret_key").read_text().strip()}
    assert [p.name for p in data_dir.iterdir() if p.name.startswith(".secret_key")] == []
