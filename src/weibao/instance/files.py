"""Private files and directories, checksums, and the PostgreSQL client programs.

Everything a backup or restore writes is readable by the owner only: a backup holds
every client's data and the password hashes.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FILE_MODE = 0o600
DIR_MODE = 0o700
_CHUNK = 1024 * 1024


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) readable by the owner only."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    path.chmod(DIR_MODE)
    return path


def private_file(path: Path) -> int:
    """Create ``path`` empty with mode 0600 and return an open write descriptor.

    Created with the final mode, so no other user can open it in between.
    """
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)


def private_copy(source: Path, target: Path) -> None:
    """Copy one file's bytes into a new 0600 file."""
    with source.open("rb") as reader, os.fdopen(private_file(target), "wb") as writer:
        shutil.copyfileobj(reader, writer, _CHUNK)
        writer.flush()
        os.fsync(writer.fileno())


def private_copy_tree(source: Path, target: Path) -> None:
    """Copy a directory tree; directories 0700, files 0600, symbolic links skipped."""
    private_dir(target)
    for entry in sorted(source.iterdir()):
        if entry.is_symlink():
            continue
        if entry.is_dir():
            private_copy_tree(entry, target / entry.name)
        elif entry.is_file():
            private_copy(entry, target / entry.name)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def walk_files(root: Path) -> Iterator[Path]:
    """Every regular file under ``root``, in a stable order, as paths relative to it."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path.relative_to(root)


def is_inside(path: Path, parent: Path) -> bool:
    return path.resolve().is_relative_to(parent.resolve())


def postgres_program(name: str) -> str:
    """Path of ``pg_dump``/``pg_restore``: the newest under /usr/lib/postgresql, else $PATH.

    The newest major version is preferred because pg_dump refuses servers newer than itself.
    """

    def major(path: Path) -> int:
        found = re.search(r"/postgresql/(\d+)/", str(path))
        return int(found.group(1)) if found else 0

    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=major, reverse=True)
    if candidates:
        return str(candidates[0])
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(f"{name} not found: install the PostgreSQL client programs (postgresql-client)")


def postgres_environment(database: dict[str, Any]) -> dict[str, str]:
    """libpq variables for ``database`` (Django settings), so no password is on a command line."""
    env = dict(os.environ)
    pairs = {
        "PGHOST": database.get("HOST") or "",
        "PGPORT": str(database.get("PORT") or ""),
        "PGUSER": database.get("USER") or "",
        "PGPASSWORD": database.get("PASSWORD") or "",
        "PGDATABASE": database.get("NAME") or "",
    }
    options = database.get("OPTIONS") or {}
    if options.get("sslmode"):
        pairs["PGSSLMODE"] = str(options["sslmode"])
    env.update({key: value for key, value in pairs.items() if value})
    return env
