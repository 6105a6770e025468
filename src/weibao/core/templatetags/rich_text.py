"""Template filters for text users wrote: ``{{ reply.body|rich_text }}``, ``{{ call.summary|plain_text }}``.

Templates never use ``|safe`` on user content; these filters sanitise (or escape)
first and only then mark the result safe.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from weibao.core.sanitize import data_image_url_valid, html_sanitize, text_to_html

register = template.Library()


@register.filter(name="rich_text", is_safe=True)
def rich_text(value: object) -> SafeString:
    """User HTML through :func:`~weibao.core.sanitize.html_sanitize`, marked safe; None shows as nothing."""
    if value is None:
        return mark_safe("")
    # Sanitised output contains only allow-listed markup, so it may be marked safe.
    return mark_safe(html_sanitize(str(value)))  # noqa: S308


@register.filter(name="plain_text", is_safe=True)
def plain_text(value: object) -> SafeString:
    """Plain text escaped into ``<p>``/``<br>`` by :func:`~weibao.core.sanitize.text_to_html`; None shows as nothing."""
    if value is None:
        return mark_safe("")
    return mark_safe(text_to_html(str(value)))  # noqa: S308 - every character is escaped


@register.filter(name="image_data_url")
def image_data_url(value: object) -> str:
    """``value`` when it is an inline PNG, JPEG or GIF data URL (a drawn signature), else ""."""
    text = "" if value is None else str(value).strip()
    return text if data_image_url_valid(text) else ""
