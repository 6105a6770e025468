"""A private dovecot IMAP server for tests: its own config, port, passwd file and maildir.

Fails loudly when dovecot is missing: ``make system-test-deps`` installs ``dovecot-imapd``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

USER = "support@weibao.test"
PASSWORD = "imap-test-password"


@dataclass
class Dovecot:
    port: int
    root: Path
    uid: int
    gid: int

    @property
    def maildir(self) -> Path:
        return self.root / "mail" / USER

    def deliver(self, raw: bytes, name: str) -> None:
        """Put a message in the inbox, as the local delivery agent would (maildir ``new/``)."""
        tmp = self.maildir / "tmp" / name
        tmp.write_bytes(raw)
        if self.uid != os.getuid():
            os.chown(tmp, self.uid, self.gid)
        os.rename(tmp, self.maildir / "new" / name)


def _binary() -> str:
    found = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if found is None:
        raise RuntimeError("dovecot is not installed; run `make system-test-deps` (Debian package dovecot-imapd)")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def dovecot_server() -> Iterator[Dovecot]:
    """Start dovecot in a fresh directory (readable by dovecot's own users, unlike pytest's tmp)."""
    binary = _binary()
    root = Path(tempfile.mkdtemp(prefix="wb-dovecot-"))
    root.chmod(0o755)
    port = _free_port()
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    maildir = root / "mail" / USER
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    uid, gid = os.getuid(), os.getgid()
    if uid == 0:  # dovecot refuses root as the mail user: the maildir belongs to nobody
        nobody = pwd.getpwnam("nobody")
        uid, gid = nobody.pw_uid, nobody.pw_gid
        for path in [root / "mail", *(root / "mail").rglob("*")]:
            os.chown(path, uid, gid)
    (root / "dovecot.conf").write_text(
        f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
    )
    process = subprocess.Popen(
        [binary, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                err = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"dovecot did not start: {err} {log}")
            time.sleep(0.05)
        yield Dovecot(port=port, root=root, uid=uid, gid=gid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)
