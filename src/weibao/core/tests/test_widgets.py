"""FastSelect renders exactly the markup of Django's Select, escaped the same way."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from weibao.core.widgets import FastSelect, selects_fast

CHOICES = [
    ("", "任意"),
    ("a", "甲 <b>&</b>"),
    ("b\"'", "乙"),
    ("组", [("c", "丙"), ("d", "丁")]),
    (3, "三"),
]


@pytest.mark.parametrize("value", [None, "", "a", "b\"'", "d", 3, "nope"])
@pytest.mark.parametrize("attrs", [None, {"required": True, "disabled": False, "data-x": "<y>", "id": "id_f"}])
def test_fast_select_renders_the_same_markup_as_djangos_select(value, attrs) -> None:
    django_html = forms.Select(choices=CHOICES).render("field", value, attrs=attrs)
    fast_html = FastSelect(choices=CHOICES).render("field", value, attrs=attrs)
    assert parse_html(fast_html) == parse_html(django_html)
    assert "<b>" not in fast_html


class _Form(forms.Form):
    plain = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    many = forms.MultipleChoiceField(choices=[("x", "X")], required=False)
    hidden = forms.ChoiceField(choices=[("x", "X")], widget=forms.HiddenInput)


def test_selects_fast_swaps_only_plain_selects_and_keeps_the_bound_value() -> None:
    form = _Form(data={"plain": "y"})
    selects_fast(form)
    assert type(form.fields["plain"].widget) is FastSelect
    assert type(form.fields["many"].widget) is forms.SelectMultiple
    assert type(form.fields["hidden"].widget) is forms.HiddenInput
    assert parse_html('<option value="y" selected>Y</option>') in parse_html(str(form["plain"]))
