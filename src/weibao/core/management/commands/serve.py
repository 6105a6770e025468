"""``weibao serve``: the embedded mode, web server + task worker + scheduler in one command.

Expects migrations to be applied (``weibao migrate``) and stops with a clear
message if they are not. Collects static files when they changed, then supervises
the child processes (see ``weibao.core.supervisor``) until SIGTERM or Ctrl-C, and
exits 0 once every child has stopped.
"""

from __future__ import annotations

import logging
import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from weibao.core.supervisor import (
    StopSignals,
    Supervisor,
    bind_parse,
    migrations_unapplied,
    serve_children,
    static_collect_if_needed,
)

logger = logging.getLogger("weibao.core.supervisor")


class Command(BaseCommand):
    help = "Serve Weibao: web server, background worker and scheduler, supervised."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", default=None, help="host:port to listen on (default: WEIBAO_BIND).")
        parser.add_argument(
            "--web-workers", type=int, default=None, help="Web server processes (default: WEIBAO_WEB_WORKERS)."
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not run a background task worker.")
        parser.add_argument("--no-scheduler", action="store_true", help="Do not run the periodic job scheduler.")

    def handle(
        self,
        *args: Any,
        bind: str | None,
        web_workers: int | None,
        no_worker: bool,
        no_scheduler: bool,
        **options: Any,
    ) -> None:
        bind = bind or settings.WEB_BIND
        try:
            host, port = bind_parse(bind)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        workers = web_workers if web_workers is not None else settings.WEB_WORKERS
        if workers < 1:
            raise CommandError("--web-workers must be 1 or more")
        pending = migrations_unapplied()
        if pending:
            raise CommandError(
                f"The database lacks {len(pending)} migration(s) ({', '.join(pending[:5])}"
                f"{' …' if len(pending) > 5 else ''}). Run `weibao migrate` first."
            )
        if static_collect_if_needed():
            logger.info("collected static files into %s", settings.STATIC_ROOT)
        # The supervisor itself never queries again; do not hold a connection for days.
        connections.close_all()

        specs = serve_children(bind=bind, web_workers=workers, worker=not no_worker, scheduler=not no_scheduler)
        env = dict(os.environ)
        # Children must agree with this process on the data directory even when it
        # was the default (relative to the working directory).
        env["WEIBAO_DATA_DIR"] = str(settings.DATA_DIR)
        env.setdefault("DJANGO_SETTINGS_MODULE", "weibao.config.settings")
        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write(
            f"Weibao is serving http://{shown_host}:{port}/  "
            f"(data in {settings.DATA_DIR}; {', '.join(s.name for s in specs)}; Ctrl-C to stop)"
        )
        stop = StopSignals()
        Supervisor(specs, env=env).run(stop.event)
        self.stdout.write("Weibao stopped.")
