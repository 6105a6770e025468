"""Where a search hit opens, for staff and for client users (URL names, no imports of other layers)."""

from __future__ import annotations

from django.urls import reverse

from weibao.accounts.models import User
from weibao.knowledge.models import SearchEntry
from weibao.knowledge.search import Hit

# (kind, client side) -> URL name taking the object's id.
URL_NAMES = {
    (SearchEntry.Kind.ARTICLE, False): "knowledge:article_detail",
    (SearchEntry.Kind.ARTICLE, True): "knowledge:portal_article",
    (SearchEntry.Kind.REQUEST, False): "tickets:detail",
    (SearchEntry.Kind.REQUEST, True): "portal:detail",
}


def hit_url(hit: Hit, actor: User) -> str:
    return reverse(URL_NAMES[(hit.kind, actor.is_client_side)], args=[hit.object_id])  # type: ignore[index]
