"""The page forms of the joint committee and the action plans (issue 22)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import VersionedForm
from .forms_fields import JalaliDateField
from .models import (
    ActionPlan,
    ActionPlanItem,
    Activity,
    CommitteeMeeting,
    CommitteeMember,
    Delegation,
    Department,
    Document,
    Sector,
)


class CommitteeMemberForm(VersionedForm):
    class Meta:
        model = CommitteeMember
        fields = list(CommitteeMember.EDITABLE_FIELDS)


class CommitteeMeetingForm(VersionedForm):
    class Meta:
        model = CommitteeMeeting
        fields = list(CommitteeMeeting.EDITABLE_FIELDS)
        field_classes = {"date": JalaliDateField}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["minutes"].queryset = Document.objects.filter(
            agreement_id=self.instance.agreement_id
        )


class ActionPlanForm(VersionedForm):
    class Meta:
        model = ActionPlan
        fields = list(ActionPlan.EDITABLE_FIELDS)


class ActionPlanItemForm(VersionedForm):
    """The plan is chosen when the item is added (an item stays in its plan)."""

    class Meta:
        model = ActionPlanItem
        fields = ["plan", *ActionPlanItem.EDITABLE_FIELDS]
        field_classes = {"due_date": JalaliDateField}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        agreement_id = self.instance.agreement_id
        self.fields["plan"].queryset = ActionPlan.objects.filter(agreement_id=agreement_id)
        self.fields["plan"].empty_label = None
        if self.instance.pk is not None:
            self.fields["plan"].disabled = True
        for name, model in (
            ("evidence_activity", Activity),
            ("evidence_delegation", Delegation),
            ("evidence_document", Document),
            ("from_meeting", CommitteeMeeting),
        ):
            self.fields[name].queryset = model.objects.filter(agreement_id=agreement_id)


class MakeItemForm(forms.Form):
    """A decision of a meeting made an item: which plan, its sector and owner."""

    plan = forms.ModelChoiceField(queryset=ActionPlan.objects.none(), label=_("action plan"))
    decision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    sector = forms.ChoiceField(choices=Sector.choices, initial=Sector.OTHER, label=_("sector"))
    owner_department = forms.ChoiceField(
        choices=Department.choices, initial=Department.OTHER, label=_("owner department")
    )

    def __init__(self, *args, agreement, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = ActionPlan.objects.filter(agreement=agreement)
        self.fields["plan"].empty_label = None
