"""Form widgets that render in Python where Django's templates are too slow for a hot page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict[str, Any]) -> SafeString:
    # As Django's attrs.html: True is a bare attribute, False or None leaves it out.
    return flatatt({name: value for name, value in attrs.items() if value is not False and value is not None})


OPTION = '<option value="{}"{}>{}</option>'


class FastSelect(forms.Select):
    """A ``<select>`` with the same markup as Django's, built without a template per option.

    Django renders every ``<option>`` through its own template include, about half a
    millisecond each; a queue page with its filter and bulk-action selects carries a few
    hundred options, which made rendering most of the page's time.
    """

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts: list[str] = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(
                format_html(OPTION, option["value"], _attrs(option["attrs"]), option["label"]) for option in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped by format_html


class ListedModelChoiceIterator(forms.models.ModelChoiceIterator):  # type: ignore[type-arg]
    """Choices from one plain query instead of ``QuerySet.iterator()``.

    Django iterates choice querysets with a server-side cursor, which on PostgreSQL
    costs a DECLARE, FETCHes and a CLOSE per select; a select's few hundred rows are
    cheaper fetched at once.
    """

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in list(self.queryset):
            yield self.choice(obj)


def selects_fast(form: forms.BaseForm) -> None:
    """Give every plain single ``Select`` of ``form`` the same markup from :class:`FastSelect`.

    Model choice fields also read their choices in one query (``ListedModelChoiceIterator``).
    Call it after the fields' querysets are set.
    """
    for field in form.fields.values():
        widget = field.widget
        if type(widget) is not forms.Select:
            continue
        fast = FastSelect(attrs=widget.attrs)
        fast.is_required = widget.is_required
        if isinstance(field, forms.ModelChoiceField):
            field.iterator = ListedModelChoiceIterator
            fast.choices = field.choices  # type: ignore[assignment]
        else:
            fast.choices = widget.choices
        field.widget = fast
