"""Every message catalogue is complete, and its compiled .mo matches its .po."""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client as HttpClient

SOURCE = Path(__file__).resolve().parent.parent / "src" / "weibao"
CATALOGUES = sorted(SOURCE.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_every_app_with_user_facing_text_has_a_chinese_catalogue() -> None:
    apps_with_catalogues = {po.parts[-5] for po in CATALOGUES}
    assert {"core", "accounts", "catalog", "customers", "contracts"} <= apps_with_catalogues


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_is_fully_translated(po: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is needed (make system-test-deps installs it)"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_compiled_catalogue_matches_its_source(po: Path, tmp_path: Path) -> None:
    compiled = tmp_path / "fresh.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(po)], check=True)
    with compiled.open("rb") as fresh, po.with_suffix(".mo").open("rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_pages_speak_chinese_by_default_and_english_for_an_english_user(as_staff: HttpClient, staff) -> None:
    assert "客户" in as_staff.get("/").content.decode()
    staff.language = "en"
    staff.save()
    page = as_staff.get("/").content.decode()
    assert "Clients" in page
    assert "客户" not in page


def test_one_message_has_one_translation_across_apps() -> None:
    """Django merges every app's catalogue: a msgid translated two ways shows one of them everywhere.

    The same English word meaning two things ("Action": 操作 in a history table, 措施 for a
    complaint's corrective action) needs a context (pgettext) so each keeps its own.
    """
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for po in CATALOGUES:
        with po.with_suffix(".mo").open("rb") as handle:
            catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        for key, value in catalog.items():
            if not isinstance(key, str) or not key:
                continue  # plural forms and the header
            app = po.parts[-5]
            if key in seen and seen[key][1] != value:
                clashes.append(f"{key!r}: {seen[key][0]} {seen[key][1]!r} / {app} {value!r}")
            seen.setdefault(key, (app, value))
    assert not clashes, "\n".join(clashes)
