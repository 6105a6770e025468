"""Run a command that ends when its parent process dies: ``python -m weibao.core.parentbound PID -- ARGV``.

``weibao serve`` starts its children in their own process group, so a Ctrl-C reaches
only the supervisor. The price: a supervisor killed outright (SIGKILL, the OOM killer)
would leave the web server, the task worker and the scheduler running with nobody to
stop them, holding the port and the database. On Linux this trampoline asks the kernel
to send SIGTERM when the parent dies (``PR_SET_PDEATHSIG``, kept across ``exec``), then
replaces itself with the real command, keeping its process id. Elsewhere it only execs.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def parent_death_signal_set(parent: int) -> None:
    """Ask for SIGTERM when the parent dies; exit if ``parent`` is already gone."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    # The parent may have died between fork and prctl: the signal would never come.
    if os.getppid() != parent:
        raise SystemExit(1)


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[1] != "--" or not argv[0].isdigit():
        raise SystemExit("usage: python -m weibao.core.parentbound PARENT_PID -- COMMAND [ARG ...]")
    parent_death_signal_set(int(argv[0]))
    os.execv(argv[2], argv[2:])  # noqa: S606 - the supervisor builds argv, never user input


if __name__ == "__main__":
    main(sys.argv[1:])
