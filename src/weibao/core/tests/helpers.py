"""Shared bits for the process tests: run ``weibao`` commands as real processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from django.conf import settings as django_settings
from django.db import connection


def weibao_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for a child ``weibao`` process with its own data dir and SQLite database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEIBAO_DATABASE")}
    env["WEIBAO_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "weibao.config.settings"
    env.update(extra)
    return env


def postgres_test_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for a child ``weibao`` process using this test run's PostgreSQL test database."""
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    if settings.get("PASSWORD"):
        url = url.replace("@", f":{settings['PASSWORD']}@", 1)
    # The same database needs the same secret key: sealed secrets (robot and webhook
    # signing secrets) are read back by the child, as by every machine of one install.
    extra.setdefault("WEIBAO_SECRET_KEY", str(django_settings.SECRET_KEY))
    return weibao_env(data_dir, WEIBAO_DATABASE_URL=url, **extra)


def weibao(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "weibao.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children_of(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses; fields resume after the last ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def descendants_of(pid: int) -> list[int]:
    found = []
    for child in children_of(pid):
        found.append(child)
        found.extend(descendants_of(child))
    return found


def alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
