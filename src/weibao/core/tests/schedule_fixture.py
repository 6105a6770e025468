"""A job for scheduler processes started by tests (imported via WEIBAO_EXTRA_SCHEDULE_MODULES).

Each run appends one line to the file named by WEIBAO_TEST_JOB_LOG, so the test can
count real executions independently of the JobRun rows.
"""

from __future__ import annotations

import datetime as dt
import os

from weibao.core.scheduler import periodic

JOB_NAME = "tests.record_run"


@periodic(JOB_NAME, every=dt.timedelta(seconds=1))
def record_run() -> None:
    with open(os.environ["WEIBAO_TEST_JOB_LOG"], "a") as log:
        log.write(f"{os.getpid()}\n")
