"""Tests of the benchmark tools; run them with ``pytest bench/tests`` (the main suite does not collect them)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
