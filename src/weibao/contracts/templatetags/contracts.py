"""Template helpers for contract pages."""

from __future__ import annotations

from django import template

from weibao.contracts.models import PHASE_LABELS
from weibao.contracts.phases import Phase

register = template.Library()

_BADGE_CLASSES = {
    Phase.NOT_ACCEPTED: "badge",
    Phase.IN_WARRANTY: "badge ok",
    Phase.POST_WARRANTY: "badge warn",
    Phase.EXPIRED: "badge danger",
}


@register.inclusion_tag("contracts/_phase_badge.html")
def phase_badge(phase: str) -> dict[str, str]:
    """A coloured badge naming the phase: green in warranty, amber after, red when expired."""
    known = Phase(phase)
    return {"css": _BADGE_CLASSES[known], "label": str(PHASE_LABELS[known]), "phase": known.value}
