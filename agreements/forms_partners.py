"""Forms of the partner's review: the counterpart record, the officer's link and
reply forms, and the partner's comment and confirmation forms (agreements.forms
holds the other records' forms; this module only adds)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cities.validators import validate_line, validate_text

from .forms import StyledFormMixin, VersionedForm
from .models import Counterpart, Memorandum

TEXT_MAX = 5000


class CounterpartForm(VersionedForm):
    class Meta:
        model = Counterpart
        fields = list(Counterpart.EDITABLE_FIELDS)


class _Styled(StyledFormMixin, forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class PartnerLinkForm(_Styled):
    """A new review link: sent to a counterpart of the agreement (optional), valid
    for a number of days."""

    counterpart = forms.ModelChoiceField(
        label=_("Sent to"), queryset=Counterpart.objects.none(), required=False
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1)

    def __init__(self, *args, memorandum: Memorandum, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counterpart"].queryset = Counterpart.objects.filter(
            agreement_id=memorandum.agreement_id
        ).order_by("name", "id")
        self.fields["counterpart"].empty_label = _("Nobody named")
        longest = settings.PARTNER_LINK_MAX_DAYS
        self.fields["days"] = forms.IntegerField(
            label=_("Valid for (days)"),
            min_value=1,
            max_value=longest,
            initial=min(settings.PARTNER_LINK_DAYS, longest),
        )
        self._style_widgets()


class PartnerReplyForm(_Styled):
    reply = forms.CharField(
        label=_("Reply"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_text],
    )


class PartnerCommentForm(_Styled):
    article = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    name = forms.CharField(label=_("Your name"), max_length=200, validators=[validate_line])
    email = forms.EmailField(label=_("Your e-mail"), required=False, validators=[validate_line])
    body = forms.CharField(
        label=_("Your comment"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_text],
    )


class PartnerConfirmForm(_Styled):
    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64, min_length=64)
    name = forms.CharField(label=_("Your name"), max_length=200, validators=[validate_line])
    title = forms.CharField(
        label=_("Your title"), max_length=200, required=False, validators=[validate_line]
    )
    email = forms.EmailField(label=_("Your e-mail"), validators=[validate_line])
