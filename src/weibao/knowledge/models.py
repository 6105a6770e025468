"""Knowledge-base articles, their revisions and feedback, and the one search index."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.core.models import TimeStampedModel


class Category(TimeStampedModel):
    """A shelf of the knowledge base (安装部署, 常见故障, …)."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Article(TimeStampedModel):
    """An FAQ, how-to, known error with its workaround, or release note."""

    class Kind(models.TextChoices):
        FAQ = "faq", _("FAQ")
        HOWTO = "howto", _("How-to")
        KNOWN_ERROR = "known_error", _("Known error")
        RELEASE_NOTE = "release_note", _("Release note")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.FAQ)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    workaround = models.TextField(_("workaround"), blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles", verbose_name=_("category")
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("product"),
    )
    release = models.ForeignKey(
        "catalog.Release",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("version"),
    )
    client_visible = models.BooleanField(_("visible to clients"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    source_request_id = models.PositiveBigIntegerField(_("written from request"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("last reviewed at"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    helpful_count = models.PositiveIntegerField(_("found helpful"), default=0)
    unhelpful_count = models.PositiveIntegerField(_("found unhelpful"), default=0)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "client_visible"], name="knowledge_article_visible")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        """Whether client users may read it."""
        return self.client_visible and self.status == self.Status.PUBLISHED


class ArticleRevision(models.Model):
    """The article as one edit left it; revision 1 is the first text."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    workaround = models.TextField(_("workaround"), blank=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("edited by")
    )
    note = models.CharField(_("change note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("article revision")
        verbose_name_plural = _("article revisions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="knowledge_revision_unique")]

    def __str__(self) -> str:
        return f"{self.title} ({self.number})"


class ArticleFeedback(models.Model):
    """One reader's verdict on an article; a second verdict replaces the first."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField(_("helpful"))
    created_at = models.DateTimeField(_("at"), auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="knowledge_feedback_one_per_user")]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.helpful}"


class SearchEntry(models.Model):
    """One searchable document (an article or a request) in the one search index.

    ``title_terms`` and ``terms`` are the segmented text the full-text index reads
    (SQLite: the FTS5 table ``knowledge_search_fts`` kept by triggers; PostgreSQL:
    the ``vector`` tsvector column kept by a trigger, with GIN). ``title`` and
    ``body`` are the original text, which snippets are cut from. ``public`` says a
    client user may find it at all; requests also need the client user's client.
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        REQUEST = "request", _("Request")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    client_id = models.PositiveBigIntegerField(null=True, blank=True)
    public = models.BooleanField(default=False)
    product_id = models.PositiveBigIntegerField(null=True, blank=True)
    release_id = models.PositiveBigIntegerField(null=True, blank=True)
    subtype = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, blank=True)
    reference = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    title_terms = models.TextField(blank=True)
    terms = models.TextField(blank=True)
    digest = models.CharField(max_length=40)
    # When the object came into being (a request's registration); FAQ periods read it.
    occurred_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="knowledge_search_entry_unique")]
        indexes = [models.Index(fields=["client_id", "kind"], name="knowledge_search_client")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
