"""Print the API fuzzing figures that ``make soak`` collected, as rows for bench/RESULTS.md.

Usage: ``python -m tests.fuzz.figures bench/api-fuzz-soak.jsonl``
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any


def summarise(lines: list[dict[str, Any]]) -> list[str]:
    """One table row per database: operations, examples, failures and time over every persona."""
    by_database: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        by_database[line["database"]].append(line)
    rows = ["| database | personas (examples per operation) | operations | examples | failures | time |"]
    rows.append("| --- | --- | --- | --- | --- | --- |")
    for database, runs in sorted(by_database.items()):
        personas = ", ".join(f"{run['persona']} ({run['examples_per_operation']})" for run in runs)
        rows.append(
            f"| {database} | {personas} | {max(run['operations'] for run in runs)} "
            f"| {sum(run['examples'] for run in runs):,} "
            f"| **{sum(run['failures'] for run in runs)}** | {sum(run['seconds'] for run in runs):.0f} s |"
        )
    return rows


def main(path: str) -> None:
    lines = [json.loads(text) for text in Path(path).read_text(encoding="utf-8").splitlines() if text.strip()]
    print("\n".join(summarise(lines)))  # noqa: T201 -- a command-line report


if __name__ == "__main__":
    main(sys.argv[1])
