from __future__ import annotations

from pathlib import Path

import pytest

from weibao.core.tests.helpers import weibao, weibao_env


@pytest.fixture(scope="session")
def migrated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a migrated SQLite database, as after ``weibao migrate``."""
    data_dir = tmp_path_factory.mktemp("data")
    result = weibao("migrate", "--no-input", "-v0", env=weibao_env(data_dir), timeout=300)
    assert result.returncode == 0, result.stderr
    return data_dir
