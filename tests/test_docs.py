"""The README stays true: the two commands first, every setting documented."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _settings_read_from_environment() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "src" / "weibao").rglob("*.py"):
        if "/tests/" in str(path):
            continue
        text = path.read_text(encoding="utf-8")
        names.update(f"WEIBAO_{name}" for name in re.findall(r"\benv(?:_bool|_int|_list)?\(\s*\"([A-Z_]+)\"", text))
        names.update(re.findall(r"\"(WEIBAO_[A-Z_]+)\"", text))
    return names


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", readme, re.S)
    assert blocks, "README has no command block"
    assert blocks[0].split() == ["make", "run", "make", "test"] or blocks[0].strip().splitlines()[:2] == [
        "make run",
        "make test",
    ]


def test_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = _settings_read_from_environment()
    assert len(found) > 10
    undocumented = sorted(name for name in found if name not in readme)
    assert undocumented == []


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
