"""Forms for what is recorded under a delegation (its page, views/delegations.py).

As agreements/forms.py: each form lists the model's EDITABLE_FIELDS and carries
the version it started from; dates in the page's calendar (JalaliDateField),
times and amounts accepted in Persian or Latin digits.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .forms import VersionedForm
from .forms_fields import JalaliDateField
from .models import (
    BudgetLine,
    Ceremony,
    DelegationParticipant,
    Document,
    Gift,
    ProgrammeItem,
    Role,
)
from .models.delegations import IMAGE_TYPES
from .selectors.display import person_name

_TO_LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2)
# Thousands separators people type or paste: comma, Arabic thousands separator,
# apostrophe, spaces.
_SEPARATORS = dict.fromkeys(map(ord, ",٬' \u00a0\u202f\u066c"))


def latin_number(value):
    if isinstance(value, str):
        value = value.translate(_TO_LATIN).translate(_SEPARATORS).replace("٫", ".")
    return value


class AmountField(forms.DecimalField):
    """An amount typed with Persian or Latin digits and thousands separators."""

    def to_python(self, value):
        return super().to_python(latin_number(value))


class TimeField(forms.TimeField):
    widget = forms.TimeInput(attrs={"type": "time", "dir": "ltr"}, format="%H:%M")

    def to_python(self, value):
        return super().to_python(latin_number(value) if isinstance(value, str) else value)


def _with_delegation(form: forms.ModelForm, delegation) -> None:
    if delegation is not None and form.instance.delegation_id is None:
        form.instance.delegation = delegation


class ParticipantForm(VersionedForm):
    class Meta:
        model = DelegationParticipant
        fields = list(DelegationParticipant.EDITABLE_FIELDS)

    def __init__(self, *args, show_travel_documents: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not show_travel_documents:
            # Hidden from viewers; the page offers the form only to officers, who see it.
            del self.fields["travel_documents"]


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_name(obj)


class ProgrammeItemForm(VersionedForm):
    class Meta:
        model = ProgrammeItem
        fields = list(ProgrammeItem.EDITABLE_FIELDS)
        field_classes = {
            "date": JalaliDateField,
            "start_time": TimeField,
            "end_time": TimeField,
            "responsible": UserChoiceField,
        }
        widgets = {"attendees": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        delegation = self.instance.delegation if self.instance.delegation_id else None
        home_city_id = delegation.agreement.home_city_id if delegation else None
        users = get_user_model().objects.filter(
            pk__in=Role.objects.filter(city_id=home_city_id).values("user_id"), is_active=True
        )
        self.fields["responsible"].queryset = users.order_by("first_name", "last_name", "username")


class BudgetLineForm(VersionedForm):
    class Meta:
        model = BudgetLine
        fields = list(BudgetLine.EDITABLE_FIELDS)
        field_classes = {"planned_amount": AmountField, "actual_amount": AmountField}
        widgets = {
            "planned_amount": forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
            "actual_amount": forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
        }


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.title or obj.original_name or str(obj)


class DocumentMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.title or obj.original_name or str(obj)


def _photos_of(delegation):
    if delegation is None:
        return Document.objects.none()
    return Document.objects.filter(
        agreement_id=delegation.agreement_id, content_type__in=IMAGE_TYPES
    ).order_by("-created_at", "-id")


class GiftForm(VersionedForm):
    class Meta:
        model = Gift
        fields = list(Gift.EDITABLE_FIELDS)
        field_classes = {
            "date": JalaliDateField,
            "estimated_value": AmountField,
            "photo": DocumentChoiceField,
        }
        widgets = {
            "estimated_value": forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        delegation = self.instance.delegation if self.instance.delegation_id else None
        self.fields["photo"].queryset = _photos_of(delegation)
        self.fields["photo"].help_text = _(
            "A PNG or JPEG uploaded among the agreement's documents."
        )


class WebAddressField(forms.URLField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class CeremonyForm(VersionedForm):
    photos = DocumentMultipleChoiceField(
        label=_("photos"),
        queryset=Document.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("PNG or JPEG documents of the agreement."),
    )

    class Meta:
        model = Ceremony
        fields = list(Ceremony.EDITABLE_FIELDS)
        field_classes = {"date": JalaliDateField, "press_release_url": WebAddressField}
        widgets = {
            "home_officials": forms.Textarea(attrs={"rows": 2}),
            "partner_officials": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "press_release_url": forms.URLInput(attrs={"dir": "ltr"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        delegation = self.instance.delegation if self.instance.delegation_id else None
        self.fields["photos"].queryset = _photos_of(delegation)
        self.fields["photos"].widget.attrs.pop("class", None)
        if self.instance.pk is not None:
            self.initial.setdefault("photos", list(self.instance.photos.all()))
