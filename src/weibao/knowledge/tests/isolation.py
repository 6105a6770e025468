"""Client-isolation coverage of the knowledge pages and API (see tests/test_client_isolation.py).

Articles are the vendor's, not a client's, so their routes are listed as shared:
every signed-in user may read a published client-visible article. That client users
get 404 for internal and unpublished articles is proven in this app's own
``test_client_isolation_*`` tests; search and suggestions take no id (their
isolation is tested there too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ARTICLE_OPERATIONS = (
    "article_get",
    "article_update",
    "article_delete",
    "article_transition",
    "article_feedback",
    "article_revision_list",
)
ARTICLE_PAGES = (
    "knowledge:article_detail",
    "knowledge:article_update",
    "knowledge:article_transition",
    "knowledge:article_feedback",
    "knowledge:portal_article",
)


def _public_article(archive: Any) -> dict[str, int]:
    from weibao.accounts.models import Role, User
    from weibao.knowledge.tests.factories import published_article

    writer = User.objects.filter(role=Role.ADMIN).first() or User.objects.create_user(
        username="kb-writer", password="x", role=Role.ADMIN
    )
    return {"article_id": published_article(writer, title="公开文章", body="处理步骤").pk}


SHARED_API: dict[str, Callable[[Any], dict[str, int]]] = dict.fromkeys(ARTICLE_OPERATIONS, _public_article)
SHARED_ROUTES: dict[str, Callable[[Any], dict[str, int]]] = dict.fromkeys(
    ARTICLE_PAGES, lambda archive: {"pk": _public_article(archive)["article_id"]}
)
