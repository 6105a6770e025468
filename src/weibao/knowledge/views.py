"""Knowledge-base pages: articles for staff, the portal's articles for clients, search and suggestions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError, WeibaoError
from weibao.core.pdf import pdf_render, pdf_response
from weibao.core.web import form_add_errors
from weibao.knowledge import selectors, services
from weibao.knowledge.faq import question_groups
from weibao.knowledge.forms import ArticleFilterForm, ArticleForm, FaqForm, SearchForm
from weibao.knowledge.links import hit_url
from weibao.knowledge.models import Article
from weibao.knowledge.search import Filters, search

SUGGESTIONS = 5
PAGE = 20


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _article_or_404(request: HttpRequest, pk: int) -> Article:
    try:
        return selectors.article_get(actor=_actor(request), pk=pk)
    except ObjectNotFoundError as exc:
        raise Http404(exc.message) from exc


def _staff_only(request: HttpRequest) -> None:
    if _actor(request).is_client_side:
        raise Http404(_("Not found."))


@login_required
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    """Staff: every article, filtered; a text query ranks by match. Client users go to the portal's list."""
    actor = _actor(request)
    if actor.is_client_side:
        return redirect("knowledge:portal_list")
    filters = ArticleFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    articles = selectors.article_list(
        actor=actor,
        q=data.get("q") or "",
        kind=data.get("kind") or None,
        status=data.get("status") or None,
        product_id=data["product"].pk if data.get("product") else None,
        category_id=data["category"].pk if data.get("category") else None,
    )
    due = selectors.articles_due_for_review(actor=actor)
    if request.GET.get("due") == "1":
        articles = due
    context = {
        "filters": filters,
        "articles": list(articles[:100]),
        "can_write": services.can_write(actor),
        "due_count": due.count(),
    }
    return render(request, "knowledge/article_list.html", context)


def _form_page(request: HttpRequest, form: ArticleForm, article: Article | None, status: int = 200) -> HttpResponse:
    return render(request, "knowledge/article_form.html", {"form": form, "article": article}, status=status)


@login_required
def article_create(request: HttpRequest) -> HttpResponse:
    """A new draft; ``?request=<id>`` prefills it from that resolved request."""
    actor = _actor(request)
    _staff_only(request)
    if not services.can_write(actor):
        raise PermissionDenied(_("You may not write knowledge-base articles."))
    draft = None
    source = request.GET.get("request", "")
    if source:
        draft = services.request_draft(actor=actor, request_id=int(source)) if source.isdigit() else None
        if draft is None:
            raise Http404(_("No resolved request to write from."))
    initial: dict[str, Any] = {}
    if draft is not None:
        initial = {
            "title": draft.title,
            "body": draft.body,
            "workaround": draft.workaround,
            "kind": draft.kind,
            "product": draft.product_id,
            "release": draft.release_id,
        }
    form = ArticleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, None)
    data = dict(form.cleaned_data)
    data.pop("note", None)
    try:
        article = services.article_create(actor=actor, source_request_id=draft.request_id if draft else None, **data)
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _form_page(request, form, None, status=422)
    messages.success(request, _("The article is saved as a draft."))
    return redirect("knowledge:article_detail", pk=article.pk)


@login_required
def article_update(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    article = _article_or_404(request, pk)
    if not services.can_write(actor):
        raise PermissionDenied(_("You may not write knowledge-base articles."))
    form = ArticleForm(request.POST if request.method == "POST" else None, instance=Article.objects.get(pk=pk))
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, form, article)
    changes = {name: form.cleaned_data[name] for name in ArticleForm.Meta.fields}
    try:
        services.article_update(actor=actor, article_id=pk, changes=changes, note=form.cleaned_data["note"])
    except ValidationError as exc:
        form_add_errors(form, exc)
        return _form_page(request, form, article, status=422)
    messages.success(request, _("The article is saved."))
    return redirect("knowledge:article_detail", pk=pk)


@login_required
@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    if actor.is_client_side:
        return redirect("knowledge:portal_article", pk=pk)
    article = _article_or_404(request, pk)
    services.article_viewed(article=article)
    context: dict[str, Any] = {
        "article": article,
        "revisions": selectors.revision_list(actor=actor, article=article),
        "can_write": services.can_write(actor),
        "can_review": services.can_review(actor),
        "steps": _steps(actor, article),
    }
    return render(request, "knowledge/article_detail.html", context)


def _steps(actor: User, article: Article) -> list[tuple[str, str]]:
    labels = {
        services.Transition.SUBMIT: _("Submit for review"),
        services.Transition.PUBLISH: _("Publish"),
        services.Transition.RETURN: _("Return to draft"),
        services.Transition.WITHDRAW: pgettext("article", "Withdraw"),
    }
    steps = []
    for action, (allowed, _target, reviewers_only) in services.TRANSITIONS.items():
        if (
            article.status in allowed
            and services.can_write(actor)
            and (not reviewers_only or services.can_review(actor))
        ):
            steps.append((action, labels[action]))
    return steps


@login_required
@require_POST
def article_transition(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    _article_or_404(request, pk)
    action = request.POST.get("action", "")
    try:
        if action == "delete":
            services.article_delete(actor=actor, article_id=pk)
            messages.success(request, _("The article is deleted."))
            return redirect("knowledge:article_list")
        if action == "confirm":
            services.article_confirm_current(actor=actor, article_id=pk)
        else:
            services.article_transition(actor=actor, article_id=pk, action=action)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except WeibaoError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    return redirect("knowledge:article_detail", pk=pk)


@login_required
@require_POST
def article_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    _article_or_404(request, pk)
    services.article_feedback(actor=actor, article_id=pk, helpful=request.POST.get("helpful") == "1")
    messages.success(request, _("Thank you for your feedback."))
    name = "knowledge:portal_article" if actor.is_client_side else "knowledge:article_detail"
    return redirect(name, pk=pk)


@login_required
@require_GET
def portal_list(request: HttpRequest) -> HttpResponse:
    """The articles a client user may read, or those matching a search."""
    actor = _actor(request)
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    articles = selectors.article_list(actor=actor, q=query or "")
    return render(request, "knowledge/portal_list.html", {"form": form, "articles": list(articles[:100])})


@login_required
@require_GET
def portal_article(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article_or_404(request, pk)
    if not article.is_public:
        raise Http404(_("Not found."))
    services.article_viewed(article=article)
    return render(request, "knowledge/portal_article.html", {"article": article})


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    """Articles and requests together or apart, ranked, with snippets; filters for staff."""
    actor = _actor(request)
    form = SearchForm(request.GET or None)
    hits: list[dict[str, Any]] = []
    has_more = False
    page = max(1, int(request.GET["page"])) if request.GET.get("page", "").isdigit() else 1
    if form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        filters = Filters(
            kinds=[data["kind"]] if data["kind"] else ("article", "request"),
            product_id=data["product"].pk if data["product"] else None,
            release_id=data["release"].pk if data["release"] else None,
            subtypes=[data["type"]] if data["type"] else (),
            client_id=data["client"],
        )
        found = search(actor=actor, query=data["q"], filters=filters, limit=PAGE, offset=(page - 1) * PAGE)
        hits = [{"hit": hit, "url": hit_url(hit, actor)} for hit in found.hits]
        has_more = found.has_more
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "hits": hits,
        "has_more": has_more,
        "page": page,
        "querystring": query.urlencode(),
        "client_side": actor.is_client_side,
    }
    return render(request, "knowledge/search.html", context)


@login_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The top five published articles the text typed so far matches (an htmx fragment)."""
    actor = _actor(request)
    text = " ".join(request.GET.get(name, "")[:2000] for name in ("title", "description", "q"))
    found = search(actor=actor, query=text, filters=Filters(kinds=["article"], published_only=True), limit=SUGGESTIONS)
    hits = [{"hit": hit, "url": hit_url(hit, actor)} for hit in found.hits]
    return render(request, "knowledge/_suggestions.html", {"hits": hits})


def _faq(request: HttpRequest) -> dict[str, Any]:
    _staff_only(request)
    form = FaqForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    days = data.get("days") or 90
    product = data.get("product")
    until = timezone.now()
    since = until - dt.timedelta(days=days)
    groups = question_groups(
        actor=_actor(request), since=since, until=until, product_id=product.pk if product else None
    )
    return {"form": form, "groups": groups, "since": since, "until": until, "product": product, "days": days}


@login_required
@require_GET
def faq(request: HttpRequest) -> HttpResponse:
    """Frequent questions of a period (and product): similar requests grouped, counted, with articles."""
    return render(request, "knowledge/faq.html", _faq(request))


@login_required
@require_GET
def faq_pdf(request: HttpRequest) -> HttpResponse:
    """The same FAQ digest as a PDF."""
    context = _faq(request)
    content = pdf_render("knowledge/print/faq.html", context, request=request)
    return pdf_response(f"faq-{context['until']:%Y%m%d}.pdf", content)
