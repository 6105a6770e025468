"""Adapter of the shared peer benchmark (``benchlib``) for Weibao's service desk.

Load it with ``--adapter weibao_adapter:WeibaoAdapter`` and both this folder and the
shared harness folder on PYTHONPATH (``bench/run_peer_compare.sh`` does this).

Surfaces:
  api         the REST API: ``POST /api/v1/tickets``; ``GET /api/v1/tickets`` with
              ``queue=all``, ``status`` (comma list), ``client_id``, ``q`` and
              ``limit``, sorted by the next deadline (the queue's default order), keyset
              pages; the body carries ``count`` (all matches), checked against the
              workload's expected counts. Bearer token.
  api_newest  the same list sorted by creation time, newest first (what the peer's
              staff list does).
  ui          the staff queue page ``GET /tickets/?…`` (server-rendered HTML, the same
              filters), signed in with a session. Only with ``WEIBAO_BENCH_UI=1``. The
              page gives no machine-readable total, so it is not checked.

Logical workload -> Weibao: statuses open/reopened/resolved/closed/duplicate ->
registered/in_progress/acceptance/archived/merged; queue <slug> -> the client
``bench-queue-<slug>`` (``WEIBAO_BENCH_QUEUE_AS=team`` uses the team of the same name
instead); priority 1..5 -> level 1, 2, 3, 4, 4; new requests are fault reports by the
``api`` channel for the Support client, as the staff user ``bench-api``.

Config (env): WEIBAO_BENCH_INFO (default ``$WEIBAO_DATA_DIR/bench-api.json``, written
by ``setup_weibao.py``: token, password, client and team ids), BENCH_BASE_URL
(default http://127.0.0.1:8802), WEIBAO_PYTHON (interpreter for the seeder, default
the project's .venv), BENCH_PEER_HARNESS (the shared harness folder, for the seeder),
BENCH_SERVER_PIDS / BENCH_SERVER_PIDFILE (processes to measure).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
from benchlib.adapters.base import Adapter, Req

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent

STATUS = {
    "open": "registered",
    "reopened": "in_progress",
    "resolved": "acceptance",
    "closed": "archived",
    "duplicate": "merged",
}
LEVEL = {1: 1, 2: 2, 3: 3, 4: 4, 5: 4}


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


class WeibaoAdapter(Adapter):
    name = "weibao"
    default_base_url = "http://127.0.0.1:8802"

    def __init__(self) -> None:
        super().__init__()
        data_dir = os.environ.get("WEIBAO_DATA_DIR", str(PROJECT / "data"))
        self.info_path = Path(os.environ.get("WEIBAO_BENCH_INFO", str(Path(data_dir) / "bench-api.json")))
        self._info: dict[str, Any] | None = None
        self.queue_as = os.environ.get("WEIBAO_BENCH_QUEUE_AS", "client")
        self.ui = os.environ.get("WEIBAO_BENCH_UI", "0") == "1"

    @property
    def info(self) -> dict[str, Any]:
        if self._info is None:
            if not self.info_path.exists():
                raise RuntimeError(f"{self.info_path} missing: run bench/peer_compare/setup_weibao.py first")
            self._info = json.loads(self.info_path.read_text())
        return self._info

    # ------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        url = os.environ.get("WEIBAO_DATABASE_URL", "")
        d: dict[str, Any] = {
            "adapter": self.name,
            "base_url": self.base_url,
            "database": "postgresql" if url.startswith(("postgres", "pgsql")) else "sqlite",
            "web_workers": os.environ.get("WEIBAO_WEB_WORKERS", "2"),
            "queue_as": self.queue_as,
        }
        for dist in ("weibao", "django", "django-ninja", "granian", "psycopg"):
            v = _version(dist)
            if v:
                d[dist] = v
        if os.environ.get("WEIBAO_BENCH_COMMIT"):
            d["commit"] = os.environ["WEIBAO_BENCH_COMMIT"]
            return d
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            d["commit"] = subprocess.run(
                ["git", "-C", str(PROJECT), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        return d

    # ------------------------------------------------------------------
    async def login(self, client: httpx.AsyncClient) -> None:
        client.headers["Authorization"] = f"Bearer {self.info['token']}"
        if not self.ui:
            return
        # The staff pages take the session; the API prefers the bearer token.
        r = await client.get("/accounts/login/")
        m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text)
        if not m:
            raise RuntimeError("login page has no CSRF token")
        r = await client.post(
            "/accounts/login/",
            data={
                "username": self.info["username"],
                "password": self.info["password"],
                "csrfmiddlewaretoken": m.group(1),
            },
            headers={"Referer": f"{self.base_url}/accounts/login/"},
        )
        if r.status_code != 302:
            raise RuntimeError(f"login failed: HTTP {r.status_code}")

    # ------------------------------------------------------------------
    def create_ticket(self, payload: dict[str, Any]) -> Req:
        body = {
            "client_id": self.info["clients"]["support"],
            "title": payload["title"][:200],
            "description": payload["description"],
            "kind": "fault",
            "channel": "api",
            "level": LEVEL[payload["priority"]],
        }
        return Req("POST", "/api/v1/tickets", json=body, expect=(201,))

    def _filters(self, status: list[str] | None, queue: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"queue": "all"}
        if status:
            params["status"] = ",".join(STATUS[s] for s in status)
        if queue:
            if self.queue_as == "team":
                params["team_id"] = self.info["teams"][queue]
            else:
                params["client_id"] = self.info["clients"][queue]
        return params

    def _surfaces(self, params: dict[str, Any], page_size: int) -> dict[str, Req | None]:
        api = {**params, "limit": page_size}
        out: dict[str, Req | None] = {
            "api": Req("GET", "/api/v1/tickets", params=api),
            "api_newest": Req("GET", "/api/v1/tickets", params={**api, "sort": "newest"}),
        }
        if self.ui:
            ui = dict(params)
            if "client_id" in ui:
                ui["client"] = ui.pop("client_id")
            if "team_id" in ui:
                ui["team"] = ui.pop("team_id")
            out["ui"] = Req("GET", "/tickets/", params=ui)
        return out

    def list_tickets(self, status: list[str] | None, queue: str | None, page_size: int) -> dict[str, Req | None]:
        return self._surfaces(self._filters(status, queue), page_size)

    def search_tickets(self, term: str, page_size: int) -> dict[str, Req | None]:
        return self._surfaces({"queue": "all", "q": term}, page_size)

    def reported_total(self, surface: str, kind: str, body: Any) -> int | None:
        return body.get("count") if isinstance(body, dict) else None

    def page_rows(self, surface: str, kind: str, body: Any) -> int | None:
        return len(body.get("items", [])) if isinstance(body, dict) and "items" in body else None

    # ------------------------------------------------------------------
    def seed_command(self, n: int, seed: int) -> tuple[list[str], dict[str, str], str] | None:
        python = os.environ.get("WEIBAO_PYTHON", str(PROJECT / ".venv" / "bin" / "python"))
        harness = os.environ.get("BENCH_PEER_HARNESS", "/work/shared/bench-peer")
        argv = [
            python,
            str(HERE.parent / "generate_tickets.py"),
            "insert",
            "--source",
            "workload",
            "--replace",
            "--count",
            str(n),
            "--seed",
            str(seed),
            "--quiet",
            "--api-user",
            self.info["username"],
        ]
        # Keep the caller's path (a source snapshot of Weibao may come first on it).
        path = os.pathsep.join(p for p in (harness, os.environ.get("PYTHONPATH", "")) if p)
        return argv, {"PYTHONPATH": path}, str(PROJECT)
