"""The kinds of records logged against an agreement, as the pages show them.

One registry, so the agreement page, the record forms and the checklist's
"fix it" links agree on URL segments (`contacts`, `legal-approvals`...), forms
and templates. A kind's section is rendered from `section(agreement, kind)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .. import forms as record_forms
from .. import forms_plans
from ..forms_partners import CounterpartForm
from ..models import (
    ActionPlan,
    ActionPlanItem,
    Activity,
    Agreement,
    CommitteeMeeting,
    CommitteeMember,
    Commonality,
    Contact,
    Counterpart,
    Delegation,
    DepartmentSupport,
    Document,
    Goal,
    LegalApproval,
    Memorandum,
)
from ..selectors.gates import gate_checklist
from ..selectors.plans import with_plan_counts

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db import models
    from django.db.models import QuerySet
    from django.utils.functional import Promise


@dataclass(frozen=True)
class RecordKind:
    slug: str  # URL segment, and GateItem.fix
    model: type[models.Model]
    form: type[record_forms.VersionedForm]
    title: Promise  # the section's heading
    add_label: Promise
    related_name: str
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ()
    # A selector that adds what the section shows besides the rows (annotations).
    prepare: Callable[[QuerySet], QuerySet] | None = None

    @property
    def template(self) -> str:
        return f"agreements/sections/_{self.slug.replace('-', '_')}.html"

    @property
    def verbose_name(self) -> str:
        return self.model._meta.verbose_name

    @property
    def anchor(self) -> str:
        return f"section-{self.slug}"

    def records(self, agreement: Agreement) -> list:
        queryset = getattr(agreement, self.related_name).all()
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        if self.order_by:
            queryset = queryset.order_by(*self.order_by)
        if self.prepare is not None:
            queryset = self.prepare(queryset)
        return list(queryset)


KINDS: dict[str, RecordKind] = {
    kind.slug: kind
    for kind in [
        RecordKind(
            "contacts",
            Contact,
            record_forms.ContactForm,
            _("Contacts"),
            _("Log a contact"),
            "contacts",
        ),
        RecordKind(
            "counterparts",
            Counterpart,
            CounterpartForm,
            _("Counterparts in the partner city"),
            _("Add a counterpart"),
            "counterparts",
        ),
        RecordKind("goals", Goal, record_forms.GoalForm, _("Goals"), _("Add a goal"), "goals"),
        RecordKind(
            "commonalities",
            Commonality,
            record_forms.CommonalityForm,
            _("Commonalities"),
            _("Add a commonality"),
            "commonalities",
        ),
        RecordKind(
            "department-supports",
            DepartmentSupport,
            record_forms.DepartmentSupportForm,
            _("Department support"),
            _("Record support"),
            "department_supports",
        ),
        RecordKind(
            "legal-approvals",
            LegalApproval,
            record_forms.LegalApprovalForm,
            _("Legal approvals"),
            _("Record an approval"),
            "legal_approvals",
            select_related=("document",),
        ),
        RecordKind(
            "memoranda",
            Memorandum,
            record_forms.MemorandumForm,
            _("Memoranda of understanding"),
            _("New memorandum version"),
            "memoranda",
            select_related=("frozen_by",),
            prefetch_related=("articles", "officials"),
            order_by=("-number",),
        ),
        RecordKind(
            "delegations",
            Delegation,
            record_forms.DelegationForm,
            _("Delegations"),
            _("Log a delegation"),
            "delegations",
        ),
        RecordKind(
            "activities",
            Activity,
            record_forms.ActivityForm,
            _("Activities"),
            _("Log an activity"),
            "activities",
        ),
        RecordKind(
            "documents",
            Document,
            record_forms.DocumentForm,
            _("Documents"),
            _("Upload a document"),
            "documents",
            select_related=("memorandum",),
        ),
        # The joint committee and the action plans (issue 22).
        RecordKind(
            "committee-members",
            CommitteeMember,
            forms_plans.CommitteeMemberForm,
            _("Joint committee: members"),
            _("Add a member"),
            "committee_members",
        ),
        RecordKind(
            "committee-meetings",
            CommitteeMeeting,
            forms_plans.CommitteeMeetingForm,
            _("Joint committee: meetings"),
            _("Log a meeting"),
            "committee_meetings",
            select_related=("minutes",),
            prefetch_related=("plan_items",),
        ),
        RecordKind(
            "action-plans",
            ActionPlan,
            forms_plans.ActionPlanForm,
            _("Action plans"),
            _("Add a year's plan"),
            "action_plans",
            prepare=with_plan_counts,
        ),
        RecordKind(
            "action-plan-items",
            ActionPlanItem,
            forms_plans.ActionPlanItemForm,
            _("Action plan items"),
            _("Add an item"),
            "action_plan_items",
            select_related=(
                "plan",
                "evidence_activity",
                "evidence_delegation",
                "evidence_document",
                "from_meeting",
            ),
            order_by=("-plan__starts_on", "due_date", "id"),
        ),
    ]
}


def get_kind(slug: str) -> RecordKind:
    try:
        return KINDS[slug]
    except KeyError:
        raise Http404


def section(agreement: Agreement, kind: RecordKind, records: list | None = None) -> dict:
    return {
        "kind": kind,
        "records": kind.records(agreement) if records is None else records,
    }


# What the "fix it" link of a checklist item fills in on the form it opens.
def _fix_initial(code: str) -> dict[str, str]:
    if code == "council":
        return {"department": "council"}
    if code.startswith("approval_"):
        return {"authority": code.removeprefix("approval_"), "status": "granted"}
    if code == "signed_copy":
        return {"kind": "signed_mou"}
    if code == "delegation_outgoing":
        return {"direction": "outgoing"}
    if code == "delegation_incoming":
        return {"direction": "incoming"}
    return {}


def checklist(agreement: Agreement, latest_memorandum: Memorandum | None = None) -> list[dict]:
    """The current stage's gate with a link to the form that fixes each missing item.

    A missing memorandum detail is fixed on the latest draft when there is one,
    otherwise by making a new version."""
    rows = []
    for item in gate_checklist(agreement):
        url = reverse("agreements:record-create", args=[agreement.pk, item.fix])
        if item.fix == "memoranda" and latest_memorandum and not latest_memorandum.is_frozen:
            url = reverse(
                "agreements:record-edit", args=[agreement.pk, "memoranda", latest_memorandum.pk]
            )
            if item.code in ("home_officials", "partner_officials"):
                url += f"#officials-{item.code.removesuffix('_officials')}"
        else:
            initial = _fix_initial(item.code)
            if initial:
                url = f"{url}?{urlencode(initial)}"
        # The form opens inside the section (htmx); a memorandum has its own page.
        inline = item.fix != "memoranda"
        rows.append({"item": item, "url": url, "inline": inline})
    return rows


def latest_memorandum(agreement: Agreement) -> Memorandum | None:
    return agreement.memoranda.order_by("-number").first()
