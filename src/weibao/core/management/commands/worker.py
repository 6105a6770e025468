"""``weibao worker``: run queued background tasks (django-tasks-db's worker, our defaults).

Every option of ``db_worker`` passes through (``--interval``, ``--batch``,
``--max-tasks``, ``--queue-name`` …). Defaults differ in three places: all queues,
no autoreload even with DEBUG (a reload would cut a running task short), and a
worker id that names the host and process, so a stuck task points at its machine.
SIGTERM or SIGINT lets the running task finish, then exits 0; a second signal
abandons the task.
"""

from __future__ import annotations

import os
import socket
from argparse import ArgumentParser

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


def worker_id_default() -> str:
    # db_worker caps ids at 64 characters; the pid keeps the tail unique.
    return f"{socket.gethostname()[:50]}:{os.getpid()}"


class Command(DbWorkerCommand):
    help = "Run queued background tasks until stopped (SIGTERM/SIGINT finish the running task first)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False, worker_id=worker_id_default())
