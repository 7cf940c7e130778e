"""Forms of the city directory."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .digits import persian_form_errors
from .models import Characteristic, City, country_choices

SCOPE_CHOICES = [
    ("", _("All cities")),
    ("home", _("Home municipalities")),
    ("partner", _("Partner cities")),
]


class CitySearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    scope = forms.ChoiceField(label=_("Show"), choices=SCOPE_CHOICES, required=False)
    missing_fa = forms.BooleanField(label=_("Missing a Persian name"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"class": "form-control", "type": "search", "id": "city-q"}
        )
        self.fields["scope"].widget.attrs.update({"class": "form-select", "id": "city-scope"})
        self.fields["missing_fa"].widget.attrs.update(
            {"class": "form-check-input", "id": "city-missing-fa"}
        )


class CityForm(forms.ModelForm):
    """Explicit fields; `is_home` only for administrators (see agreements.views.cities)."""

    characteristics = forms.MultipleChoiceField(
        label=_("Characteristics"),
        choices=Characteristic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = City
        fields = [
            "name",
            "name_fa",
            "country",
            "region",
            "region_fa",
            "population",
            "latitude",
            "longitude",
            "titles",
            "titles_fa",
            "characteristics",
            "is_home",
        ]
        widgets = {
            "titles": forms.Textarea(attrs={"rows": 3}),
            "titles_fa": forms.Textarea(attrs={"rows": 3, "dir": "rtl"}),
            "name_fa": forms.TextInput(attrs={"dir": "rtl"}),
            "region_fa": forms.TextInput(attrs={"dir": "rtl"}),
            "name": forms.TextInput(attrs={"dir": "ltr"}),
            "region": forms.TextInput(attrs={"dir": "ltr"}),
        }

    def __init__(self, *args, may_set_home: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not may_set_home:
            del self.fields["is_home"]
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        # In the alphabetical order of the page's language (Persian order on Persian pages).
        country = self.fields["country"]
        country.choices = [choice for choice in country.choices if not choice[0]] + list(
            country_choices()
        )
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def full_clean(self) -> None:
        super().full_clean()
        persian_form_errors(self)  # "less than or equal to ۹۰" on Persian pages
