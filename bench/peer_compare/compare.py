"""Side-by-side Markdown of benchmark runs made by the shared harness (bench.py JSON files).

    python bench/peer_compare/compare.py peer.json weibao-sqlite.json weibao-postgres.json > compare.md

Columns are the runs, in the order given; rows are the create, seed, list and search
figures and the server memory. For list and search each run shows its best surface
first (the one named in --surface for that run, default the first it measured).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def _label(run: dict[str, Any]) -> str:
    s = run["system"]
    if s.get("adapter") == "weibao":
        return f"Weibao ({s.get('database')})"
    return str(s.get("adapter"))


def _lat(lat: dict[str, Any] | None, with_n: bool = True) -> str:
    if not lat or not lat.get("n"):
        return "—"
    text = f"{lat['p50']:,.1f} / {lat['p95']:,.1f} / {lat['p99']:,.1f}"
    return f"{text} (n={lat['n']})" if with_n and lat["n"] < 50 else text


def _phase_rows(runs: list[dict[str, Any]], kind: str) -> list[tuple[str, str]]:
    """(query label, key) pairs in workload order, from the first run that has them."""
    seen: list[tuple[str, str]] = []
    for run in runs:
        for q in run["phases"].get(kind, []):
            label = q["query"] + (f" `{q['term']}`" if "term" in q else "")
            if (label, q["query"]) not in seen:
                seen.append((label, q["query"]))
    return seen


def _cell(run: dict[str, Any], kind: str, query: str, surface: str | None) -> str:
    rows = [q for q in run["phases"].get(kind, []) if q["query"] == query and not q.get("unsupported")]
    if surface:
        rows = [q for q in rows if q["surface"] == surface] or rows
    if not rows:
        return "unsupported"
    q = rows[0]
    check = ""
    if "total_matches" in q:
        check = f" · {q['reported_total']:,}" + ("" if q["total_matches"] else f" ≠ {q['expected_total']:,}")
    errors = f" · errors {q['errors']}" if q["errors"] else ""
    return f"{_lat(q['latency_ms'])} [{q['surface']}]{check}{errors}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+", type=Path)
    ap.add_argument("--surface", action="append", default=[], help="per run, in order: surface for list/search")
    args = ap.parse_args()
    runs = [json.loads(p.read_text()) for p in args.runs]
    surfaces = args.surface + [None] * (len(runs) - len(args.surface))
    head = "| | " + " | ".join(_label(r) for r in runs) + " |"
    sep = "|---" * (len(runs) + 1) + "|"
    out = [head, sep]

    seeded = max((r["phases"].get("seed", {}).get("tickets") or 0) for r in runs)
    creates = sorted({k for r in runs for k in r["phases"] if k.startswith("create")})
    for key in creates:
        cells = []
        for r in runs:
            ph = r["phases"].get(key)
            if not ph:
                cells.append("—")
                continue
            err = f", {sum(ph['errors'].values())} errors" if ph["errors"] else ""
            cells.append(f"**{ph['throughput_ok_per_s']:,.1f}/s**; {_lat(ph['latency_ms'], False)}{err}")
        when = "empty DB" if key == "create" else f"{seeded:,} in DB"
        out.append(f"| create ({when}): requests/s; ms p50/p95/p99 | " + " | ".join(cells) + " |")
    cells = []
    for r in runs:
        ph = r["phases"].get("seed", {})
        rep = ph.get("reported", {})
        cells.append(
            f"{rep.get('insert_seconds')} s insert ({rep.get('tickets_per_second'):,} /s), "
            f"{ph.get('wall_seconds')} s wall, DB {rep.get('db_size_mb')} MB"
            if rep
            else "—"
        )
    out.append(f"| seed {seeded:,} | " + " | ".join(cells) + " |")
    for kind in ("list", "search"):
        for label, query in _phase_rows(runs, kind):
            cells = [_cell(r, kind, query, s) for r, s in zip(runs, surfaces, strict=True)]
            out.append(f"| {kind} {label}: ms p50/p95/p99 | " + " | ".join(cells) + " |")
    for key, label in (("start_idle", "idle after start"),):
        out.append(
            f"| memory {label}: RSS / PSS MB | "
            + " | ".join(
                f"{m['rss_total_mb']} / {m['pss_total_mb']}" if (m := r["memory"].get(key)) else "—" for r in runs
            )
            + " |"
        )
    for phase in ("create", "list", "search"):
        out.append(
            f"| memory peak during {phase}: RSS / PSS MB (max worker RSS) | "
            + " | ".join(
                f"{p['rss_total_mb']} / {p['pss_total_mb']} ({p['max_worker_rss_mb']})"
                if (p := r["memory"].get("peaks", {}).get(phase))
                else "—"
                for r in runs
            )
            + " |"
        )
    print("\n".join(out))


if __name__ == "__main__":
    main()
