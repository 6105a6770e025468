"""Client-isolation coverage of intake (see tests/isolation_registry.py).

Inbound messages and IM apps belong to the vendor, not to a client: the review pages
are for vendor agents only (client users get 404 for every id, see test_review.py),
and the callback URLs take an app's or source's key, not an object of a client.
They are listed for coverage, not walked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SHARED_ROUTES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "intake:review_detail": lambda archive: {"pk": 1},
    "intake:review_release": lambda archive: {"pk": 1},
    "intake:review_discard": lambda archive: {"pk": 1},
    "intake:wecom_callback": lambda archive: {"key": "none"},
    "intake:dingtalk_callback": lambda archive: {"key": "none"},
    "intake:feishu_callback": lambda archive: {"key": "none"},
    "intake:webhook_receive": lambda archive: {"key": "none"},
}
