"""Articles for tests."""

from __future__ import annotations

from typing import Any

from weibao.accounts.models import User
from weibao.knowledge import services
from weibao.knowledge.models import Article


def published_article(actor: User, *, title: str, body: str, client_visible: bool = True, **extra: Any) -> Article:
    """A published article written and reviewed by ``actor`` (who must be a reviewer)."""
    article = services.article_create(actor=actor, title=title, body=body, client_visible=client_visible, **extra)
    services.article_transition(actor=actor, article_id=article.pk, action="submit")
    return services.article_transition(actor=actor, article_id=article.pk, action="publish")
