"""SLA policy pages: a policy, its targets and their escalation steps."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from weibao.sla import registry, selectors, services
from weibao.sla.access import can_manage_sla
from weibao.sla.durations import duration_format
from weibao.sla.forms import EscalationForm, PolicyForm, TargetForm
from weibao.sla.models import SlaEscalationStep, SlaPolicy, SlaTarget
from weibao.sla.views._common import (
    actor_of,
    delete_flow,
    form_flow,
    get_or_404,
    posted,
    require_manager,
    staff_only,
)


def _policy_url(policy_id: int) -> str:
    return reverse("sla:policy_detail", kwargs={"pk": policy_id})


@staff_only
def policy_create(request: HttpRequest) -> HttpResponse:
    require_manager(request)
    form = PolicyForm(posted(request))

    def save() -> tuple[str, str]:
        policy = services.policy_create(actor=actor_of(request), **form.cleaned_data)
        return _("Policy %(name)s created; now add its targets.") % {"name": policy.name}, _policy_url(policy.pk)

    return form_flow(request, form, _("New SLA policy"), reverse("sla:index"), save)


@staff_only
@require_GET
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_or_404(selectors.policy_get, pk)
    targets = list(selectors.target_list(policy=policy))
    teams = dict(registry.teams())
    rows = [
        {
            "target": target,
            "kind_label": registry.request_kind_label(target.kind) if target.kind else _("Every kind"),
            "duration": duration_format(target.seconds),
            "steps": [
                {
                    "step": step,
                    "after": duration_format(step.after_seconds),
                    "team": teams.get(step.reassign_team_id, step.reassign_team_id) if step.reassign_team_id else None,
                }
                for step in target.escalations.all()
            ],
        }
        for target in targets
    ]
    return render(
        request,
        "sla/policy_detail.html",
        {
            "policy": policy,
            "rows": rows,
            "can_manage": can_manage_sla(actor_of(request)),
            "contracts": policy.warranty_contracts.count() + policy.post_warranty_contracts.count(),
        },
    )


@staff_only
def policy_update(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_or_404(selectors.policy_get, pk)
    require_manager(request)
    form = PolicyForm(posted(request), instance=SlaPolicy.objects.get(pk=pk))

    def save() -> tuple[str, str]:
        services.policy_update(actor=actor_of(request), policy=policy, changes=form.cleaned_data)
        return _("Policy saved."), _policy_url(pk)

    return form_flow(request, form, _("Edit policy %(name)s") % {"name": policy.name}, _policy_url(pk), save)


@staff_only
def policy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_or_404(selectors.policy_get, pk)
    require_manager(request)
    return delete_flow(
        request,
        policy,
        _policy_url(pk),
        delete=lambda: services.policy_delete(actor=actor_of(request), policy=policy),
        done=_("Policy deleted."),
        then=reverse("sla:index"),
    )


def _target_initial(target: SlaTarget) -> dict[str, Any]:
    return {
        "metric": target.metric,
        "kind": target.kind,
        "level": target.level or "",
        "seconds": target.seconds,
        "calendar": target.calendar_id,
        "warn_percent": target.warn_percent,
        "penalty_amount": target.penalty_amount,
    }


@staff_only
def target_create(request: HttpRequest, policy_pk: int) -> HttpResponse:
    policy = get_or_404(selectors.policy_get, policy_pk)
    require_manager(request)
    form = TargetForm(posted(request))

    def save() -> tuple[str, str]:
        services.target_create(actor=actor_of(request), policy=policy, **form.cleaned_data)
        return _("Target added."), _policy_url(policy.pk)

    title = _("New target in %(name)s") % {"name": policy.name}
    return form_flow(request, form, title, _policy_url(policy.pk), save)


@staff_only
def target_update(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_or_404(selectors.target_get, pk)
    require_manager(request)
    form = TargetForm(posted(request), initial=_target_initial(target))

    def save() -> tuple[str, str]:
        services.target_update(actor=actor_of(request), target=target, changes=form.cleaned_data)
        return _("Target saved."), _policy_url(target.policy_id)

    return form_flow(request, form, _("Edit target"), _policy_url(target.policy_id), save)


@staff_only
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_or_404(selectors.target_get, pk)
    require_manager(request)
    back = _policy_url(target.policy_id)
    return delete_flow(
        request,
        target,
        back,
        delete=lambda: services.target_delete(actor=actor_of(request), target=target),
        done=_("Target deleted."),
        then=back,
    )


def _step_initial(step: SlaEscalationStep) -> dict[str, Any]:
    return {
        "order": step.order,
        "after_seconds": step.after_seconds,
        "raise_level": step.raise_level,
        "notify_roles": step.notify_roles,
        "notify_assignee": step.notify_assignee,
        "notify_on_duty": step.notify_on_duty,
        "notify_users": list(step.notify_users.values_list("pk", flat=True)),
        "reassign_team_id": step.reassign_team_id or "",
    }


@staff_only
def escalation_create(request: HttpRequest, target_pk: int) -> HttpResponse:
    target = get_or_404(selectors.target_get, target_pk)
    require_manager(request)
    form = EscalationForm(posted(request))

    def save() -> tuple[str, str]:
        users = list(form.cleaned_data["notify_users"])
        services.escalation_create(actor=actor_of(request), target=target, notify_users=users, **form.values())
        return _("Escalation step added."), _policy_url(target.policy_id)

    title = _("New escalation step for %(target)s") % {"target": target}
    return form_flow(request, form, title, _policy_url(target.policy_id), save)


@staff_only
def escalation_update(request: HttpRequest, pk: int) -> HttpResponse:
    step = get_or_404(selectors.escalation_get, pk)
    require_manager(request)
    form = EscalationForm(posted(request), initial=_step_initial(step))
    policy_id = step.target.policy_id

    def save() -> tuple[str, str]:
        values = form.values()
        if values.get("order") is None:
            values["order"] = step.order
        users = list(form.cleaned_data["notify_users"])
        services.escalation_update(actor=actor_of(request), step=step, changes=values, notify_users=users)
        return _("Escalation step saved."), _policy_url(policy_id)

    return form_flow(request, form, _("Edit escalation step"), _policy_url(policy_id), save)


@staff_only
def escalation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    step = get_or_404(selectors.escalation_get, pk)
    require_manager(request)
    back = _policy_url(step.target.policy_id)
    return delete_flow(
        request,
        step,
        back,
        delete=lambda: services.escalation_delete(actor=actor_of(request), step=step),
        done=_("Escalation step deleted."),
        then=back,
    )
