"""Prepare a migrated Weibao database for the peer benchmark; writes the adapter's info file.

    WEIBAO_DATA_DIR=… [WEIBAO_DATABASE_URL=…] .venv/bin/python bench/peer_compare/setup_weibao.py

Makes (or finds) the staff user ``bench-api`` (a service-desk agent, with a throwaway
local password for the staff pages), issues it a fresh read-write access token
(earlier bench tokens are revoked), and makes the client and team that stand for each
of the workload's queues. Writes token, password and ids to
``$WEIBAO_DATA_DIR/bench-api.json`` (or WEIBAO_BENCH_INFO) and prints them as JSON.
Needs the shared harness folder on PYTHONPATH (for the queue list).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.config.settings")

import django

django.setup()

import generate_tickets  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from weibao.accounts.models import AccessToken  # noqa: E402
from weibao.accounts.tokens import token_create  # noqa: E402

USERNAME = os.environ.get("BENCH_API_USER", "bench-api")
PASSWORD = os.environ.get("BENCH_API_PASSWORD", "bench-api-local-pw")


def main() -> None:
    ref = generate_tickets.workload_reference(USERNAME)
    user = ref["assignee"]
    with transaction.atomic():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        AccessToken.objects.filter(user=user, name="peer benchmark", revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        issued = token_create(actor=user, name="peer benchmark", scope=AccessToken.Scope.READ_WRITE)
    info = {
        "username": USERNAME,
        "password": PASSWORD,
        "token": issued.plaintext,
        "clients": {slug: c.pk for slug, c in ref["clients"].items()},
        "teams": {slug: t.pk for slug, t in ref["teams"].items()},
    }
    path = Path(os.environ.get("WEIBAO_BENCH_INFO", str(Path(settings.DATA_DIR) / "bench-api.json")))
    path.write_text(json.dumps(info, indent=1))
    path.chmod(0o600)
    print(json.dumps({k: v for k, v in info.items() if k not in ("token", "password")}))


if __name__ == "__main__":
    main()
