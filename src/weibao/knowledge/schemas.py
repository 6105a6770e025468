"""API shapes of articles and search results."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from weibao.core.api_errors import ObjectId
from weibao.knowledge.models import Article, ArticleRevision

ArticleKind = Literal["faq", "howto", "known_error", "release_note"]


class ArticleOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    workaround: str
    category: int | None
    product: int | None
    release: int | None
    client_visible: bool
    status: str
    revision: int
    source_request: int | None
    published_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    view_count: int
    helpful_count: int
    unhelpful_count: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_category(obj: Article) -> int | None:
        return obj.category_id

    @staticmethod
    def resolve_product(obj: Article) -> int | None:
        return obj.product_id

    @staticmethod
    def resolve_release(obj: Article) -> int | None:
        return obj.release_id

    @staticmethod
    def resolve_source_request(obj: Article) -> int | None:
        return obj.source_request_id


class ArticleIn(Schema):
    title: str = Field(max_length=200)
    body: str = Field(max_length=100_000)
    kind: ArticleKind = "faq"
    workaround: str = Field(default="", max_length=100_000)
    category: ObjectId | None = None
    product: ObjectId | None = None
    release: ObjectId | None = None
    client_visible: bool = False


class ArticlePatch(Schema):
    title: str | None = Field(default=None, max_length=200)
    body: str | None = Field(default=None, max_length=100_000)
    kind: ArticleKind | None = None
    workaround: str | None = Field(default=None, max_length=100_000)
    category: ObjectId | None = None
    product: ObjectId | None = None
    release: ObjectId | None = None
    client_visible: bool | None = None
    note: str = Field(default="", max_length=200, description="What this edit changed (kept with the revision).")


class TransitionIn(Schema):
    action: Literal["submit", "publish", "return", "withdraw"]


class ArticleFeedbackIn(Schema):
    helpful: bool


class RevisionOut(Schema):
    number: int
    title: str
    body: str
    workaround: str
    editor: int
    note: str
    created_at: dt.datetime

    @staticmethod
    def resolve_editor(obj: ArticleRevision) -> int:
        return obj.editor_id


class HitOut(Schema):
    kind: str
    id: int
    title: str = Field(description="HTML: the original title, escaped, matches in <mark>.")
    snippet: str = Field(description="HTML: about 160 characters of the original text around the first match.")
    score: float
    type: str
    status: str
    reference: str
    url: str


class SearchOut(Schema):
    results: list[HitOut]
    has_more: bool
    terms: list[str]
    fuzzy: bool = Field(description="True when nothing matched exactly and these are near matches (PostgreSQL).")
