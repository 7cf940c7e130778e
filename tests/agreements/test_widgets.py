"""FastSelect writes exactly what Django's Select template writes, only faster."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation
from django_countries import countries

from agreements.models import Stage
from agreements.widgets import FastSelect
from cities.models import City

CASES = [
    (list(countries), "IR", {"class": "form-select", "id": "filter-country"}),
    ([("", "Any <stage> & more")] + list(Stage.choices), "goals", {"required": True}),
    ([("", "—")] + list(Stage.choices), None, {"disabled": False, "data-x": 'a"b'}),
    ([("Group & co", [("a", "A"), ("b", "B")]), ("c", "<C>")], "b", {}),
    ([("1", "one"), (1, "one again")], "1", {}),  # only the first match is selected
]


@pytest.mark.parametrize(("choices", "value", "attrs"), CASES)
def test_same_markup_as_djangos_select(choices, value, attrs):
    with translation.override("fa"):
        expected = forms.Select(attrs=attrs, choices=choices).render("field", value)
        assert FastSelect(attrs=attrs, choices=choices).render("field", value) == expected
    assert " selected>" in expected or value is None


@pytest.mark.django_db
def test_same_markup_for_model_choices(personas):
    queryset = City.objects.homes()
    expected = forms.ModelChoiceField(queryset=queryset).widget.render("home", personas.tehran.pk)
    field = forms.ModelChoiceField(queryset=queryset, widget=FastSelect)
    assert field.widget.render("home", personas.tehran.pk) == expected
    assert f'value="{personas.tehran.pk}" selected' in expected


@pytest.mark.django_db
def test_list_filters_use_it(client, personas):
    client.force_login(personas.admin)
    form = client.get("/agreements/").context["filter"].form
    assert isinstance(form.fields["partner_country"].widget, FastSelect)
    assert isinstance(form.fields["home_city"].widget, FastSelect)
