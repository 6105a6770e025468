"""Pages: notification centre and preferences (everyone); channels, rules, templates, deliveries (administrators)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError
from weibao.core.web import form_add_errors, list_context
from weibao.notifications import selectors, services
from weibao.notifications.events import EVENTS
from weibao.notifications.forms import LANGUAGES, EndpointForm, RuleForm, TemplateForm
from weibao.notifications.messages import BUILTIN
from weibao.notifications.models import PERSONAL_CHANNELS, Delivery, Endpoint, MessageTemplate, Rule


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _admin(request: HttpRequest) -> User:
    actor = _actor(request)
    if not actor.is_administrator:
        raise PermissionDenied(_("Only administrators may change notification settings."))
    return actor


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    unread_only = request.GET.get("unread") == "1"
    items = selectors.inbox_list(actor=actor, unread=unread_only)
    return render(
        request,
        "notifications/inbox.html",
        list_context(request, items, unread=selectors.inbox_unread_count(actor=actor), unread_only=unread_only),
    )


@login_required
@require_http_methods(["GET", "POST"])
def read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an entry read and go to its link (POST); someone else's entry is not found, whatever the method."""
    try:
        item = selectors.inbox_get(actor=_actor(request), pk=pk)
    except ObjectNotFoundError as exc:
        raise Http404(exc.message) from exc
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.inbox_mark_read(actor=_actor(request), pk=item.pk)
    target = item.link if request.POST.get("go") == "1" else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    services.inbox_mark_all_read(actor=_actor(request))
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    saved = False
    if request.method == "POST":
        choices = [
            (event, channel.value, request.POST.get(f"{event}|{channel.value}") == "on")
            for event in EVENTS
            for channel in PERSONAL_CHANNELS
        ]
        services.preferences_set(actor=actor, choices=choices)
        saved = True
    table = selectors.preference_table(actor=actor)
    rows = [
        {"event": event, "label": label, "cells": [c for c in table if c["event"] == event]}
        for event, label in EVENTS.items()
    ]
    channels = [c.label for c in PERSONAL_CHANNELS]
    return render(request, "notifications/preferences.html", {"rows": rows, "channels": channels, "saved": saved})


@login_required
@require_GET
def channel_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    return render(request, "notifications/channel_list.html", {"endpoints": Endpoint.objects.all()})


def _channel_form(request: HttpRequest, endpoint: Endpoint | None) -> HttpResponse:
    actor = _admin(request)
    form = EndpointForm(request.POST or None, instance=endpoint)
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_save(actor=actor, endpoint=form.save(commit=False))
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            return redirect("notifications:channel_list")
    return render(request, "notifications/channel_form.html", {"form": form, "endpoint": endpoint})


@login_required
@require_http_methods(["GET", "POST"])
def channel_create(request: HttpRequest) -> HttpResponse:
    return _channel_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def channel_update(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    return _channel_form(request, get_object_or_404(Endpoint, pk=pk))


@login_required
@require_http_methods(["GET", "POST"])
def channel_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    endpoint = get_object_or_404(Endpoint, pk=pk)
    if request.method == "POST":
        services.endpoint_delete(actor=actor, endpoint=endpoint)
        return redirect("notifications:channel_list")
    return render(
        request,
        "core/confirm_delete.html",
        {"object": endpoint, "cancel_url": reverse("notifications:channel_list")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    existing = {rule.event: rule for rule in Rule.objects.all()}
    posted_event = request.POST.get("event") if request.method == "POST" else None
    forms = []
    for event, label in EVENTS.items():
        rule = existing.get(event)
        initial = {
            "enabled": rule.enabled if rule else True,
            "channels": rule.channels if rule else [],
            "extra_roles": rule.extra_roles if rule else [],
        }
        form = RuleForm(request.POST if posted_event == event else None, initial=initial, prefix=event)
        if posted_event == event and form.is_valid():
            try:
                services.rule_save(actor=actor, event=event, **form.cleaned_data)
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                return redirect("notifications:rules")
        forms.append({"event": event, "label": label, "form": form})
    return render(request, "notifications/rules.html", {"forms": forms})


@login_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    custom = set(MessageTemplate.objects.values_list("event", "language"))
    rows = [
        {
            "event": event,
            "label": label,
            "languages": [(code, name, (event, code) in custom) for code, name in LANGUAGES.items()],
        }
        for event, label in EVENTS.items()
    ]
    return render(request, "notifications/template_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, event: str, language: str) -> HttpResponse:
    actor = _admin(request)
    if event not in EVENTS or language not in LANGUAGES:
        raise Http404(_("Not found."))
    existing = MessageTemplate.objects.filter(event=event, language=language).first()
    initial = {"subject": existing.subject, "body": existing.body} if existing else {}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.template_save(actor=actor, event=event, language=language, **form.cleaned_data)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            return redirect("notifications:template_list")
    subject, body = BUILTIN[event]
    return render(
        request,
        "notifications/template_form.html",
        {
            "form": form,
            "event_label": EVENTS[event],
            "language_name": LANGUAGES[language],
            "builtin_subject": subject,
            "builtin_body": body,
        },
    )


@login_required
@require_GET
def delivery_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    state = request.GET.get("state", "")
    if state not in Delivery.State.values:
        state = ""
    return render(
        request,
        "notifications/delivery_list.html",
        list_context(request, selectors.delivery_list(state=state), state=state, states=Delivery.State.choices),
    )
