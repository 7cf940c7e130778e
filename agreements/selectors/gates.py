"""The gate facts: what the records of an agreement say about its stage's gate.

agreements.workflow holds the gates themselves (`GateFacts`, `checklist`,
`missing`) and never reads the database; this module is the one place that
reads the records for them. The agreement page, the approvals queue, the API
and the services (a request to advance and its approval) all ask here:

- `collect_facts(agreement)`: the facts the gate of its current stage looks at
  (`workflow.GATE_READS`), in one query;
- `collect_facts_for(agreements)`: every fact of several agreements, in one query
  whatever their number (the approvals queue);
- `gate_checklist`, `gate_missing`, `gate_missing_for`: the workflow's checklist
  and missing messages on those facts.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import (
    Agreement,
    ApprovalStatus,
    Authority,
    Commonality,
    Contact,
    Delegation,
    Department,
    DepartmentSupport,
    Direction,
    Document,
    DocumentKind,
    Goal,
    LegalApproval,
    Memorandum,
    MunicipalitySettings,
    Stage,
    default_required_authorities,
)
from ..workflow import GATE_READS, GateFacts, GateItem, checklist, missing

_MEMORANDUM_FACTS = GATE_READS[Stage.SIGNING]


def _fact_columns(reads: frozenset[str] | None, today: datetime.date) -> dict[str, object]:
    """The wanted facts as expressions on the agreement row (named without the
    `fact_` prefix): each is a correlated subquery, an indexed lookup per agreement.
    Sets of codes (granted authorities, directions of completed delegations) are one
    EXISTS per code of their choices. `reads` None: every fact."""

    def wanted(*facts: str) -> bool:
        return reads is None or not reads.isdisjoint(facts)

    def of_agreement(queryset):
        return queryset.filter(agreement_id=OuterRef("pk"))

    def count(queryset) -> Coalesce:
        rows = of_agreement(queryset).order_by().values("agreement_id")
        return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)

    def latest_memorandum(condition: Q) -> Subquery:
        # The newest version decides; no memorandum reads as NULL (False below).
        flag = ExpressionWrapper(condition, output_field=BooleanField())
        newest = of_agreement(Memorandum.objects.order_by("-number"))
        return Subquery(newest.annotate(flag=flag).values("flag")[:1])

    settings_row = MunicipalitySettings.objects.filter(city_id=OuterRef("home_city_id"))
    columns: dict[str, object] = {}
    if wanted("contacts"):
        columns["contacts"] = count(Contact.objects.exclude(participants=""))
    if wanted("goals_with_sector"):
        columns["goals_with_sector"] = count(Goal.objects.exclude(sector=""))
    if wanted("commonalities"):
        columns["commonalities"] = count(Commonality.objects.all())
    if wanted("council_support"):
        council = DepartmentSupport.objects.filter(department=Department.COUNCIL)
        columns["council_support"] = Exists(of_agreement(council))
    if wanted("granted_authorities"):
        granted = LegalApproval.objects.filter(status=ApprovalStatus.GRANTED)
        for code in Authority.values:
            columns[f"granted_{code}"] = Exists(of_agreement(granted.filter(authority=code)))
    if wanted("required_authorities"):
        columns["required_authorities"] = Subquery(settings_row.values("required_authorities")[:1])
    if wanted("delegations_each_way"):
        columns["delegations_each_way"] = Subquery(settings_row.values("delegations_each_way")[:1])
    if wanted(*_MEMORANDUM_FACTS):
        columns["memorandum_exists"] = Exists(of_agreement(Memorandum.objects.all()))
        columns["memorandum_frozen"] = latest_memorandum(Q(frozen_at__isnull=False))
        columns["memorandum_signed_on"] = latest_memorandum(Q(signed_on__isnull=False))
        columns["memorandum_home_signatory"] = latest_memorandum(~Q(home_signatory_name=""))
        columns["memorandum_partner_signatory"] = latest_memorandum(~Q(partner_signatory_name=""))
        signed = Document.objects.filter(kind=DocumentKind.SIGNED_MOU)
        columns["signed_copy_uploaded"] = Exists(of_agreement(signed))
    if wanted("completed_official_delegations"):
        completed = Delegation.objects.filter(official=True, end_date__lt=today)
        for code in Direction.values:
            columns[f"delegation_{code}"] = Exists(of_agreement(completed.filter(direction=code)))
    return columns


def _facts(row: dict) -> GateFacts:
    """A row of fact columns (a fact not read is missing and keeps its default)."""
    required = row.get("required_authorities")
    return GateFacts(
        contacts=row.get("contacts", 0),
        goals_with_sector=row.get("goals_with_sector", 0),
        commonalities=row.get("commonalities", 0),
        council_support=bool(row.get("council_support")),
        granted_authorities=frozenset(
            code for code in Authority.values if row.get(f"granted_{code}")
        ),
        required_authorities=(
            tuple(required) if required is not None else tuple(default_required_authorities())
        ),
        memorandum_exists=bool(row.get("memorandum_exists")),
        memorandum_frozen=bool(row.get("memorandum_frozen")),
        memorandum_signed_on=bool(row.get("memorandum_signed_on")),
        memorandum_home_signatory=bool(row.get("memorandum_home_signatory")),
        memorandum_partner_signatory=bool(row.get("memorandum_partner_signatory")),
        signed_copy_uploaded=bool(row.get("memorandum_exists") and row.get("signed_copy_uploaded")),
        completed_official_delegations=frozenset(
            code for code in Direction.values if row.get(f"delegation_{code}")
        ),
        delegations_each_way=bool(row.get("delegations_each_way")),
    )


def collect_facts_for(
    agreements: list[Agreement],
    today: datetime.date | None = None,
    reads: frozenset[str] | None = None,
) -> dict[int, GateFacts]:
    """The gate facts of several agreements at once ({pk: facts}), in one query
    whatever their number: a page listing gates (the approvals queue) does not query
    per row, and a transition reads its gate in one round trip. `reads` names the
    facts wanted (default: every fact); a fact not wanted is not read and keeps its
    default. No query when no agreement is given or no fact is wanted."""
    columns = _fact_columns(reads, today or timezone.localdate())
    ids = [agreement.pk for agreement in agreements]
    rows: dict[int, dict] = {}
    if columns and ids:
        # Named fact_*: some facts' names (contacts...) are the agreement's relations.
        query = (
            Agreement.objects.filter(pk__in=ids)
            .order_by()
            .values("pk", **{f"fact_{name}": column for name, column in columns.items()})
        )
        for row in query:
            rows[row.pop("pk")] = {name.removeprefix("fact_"): value for name, value in row.items()}
    return {agreement.pk: _facts(rows.get(agreement.pk, {})) for agreement in agreements}


def collect_facts(agreement: Agreement, today: datetime.date | None = None) -> GateFacts:
    """What the gate of the agreement's current stage looks at (the other facts keep
    their defaults: evaluate these facts for `agreement.stage` only)."""
    reads = GATE_READS[agreement.stage]
    return collect_facts_for([agreement], today, reads=reads)[agreement.pk]


def gate_checklist(agreement: Agreement) -> list[GateItem]:
    """The gate of the agreement's current stage: every requirement, done or not."""
    return checklist(agreement.stage, collect_facts(agreement))


def gate_missing(agreement: Agreement) -> list[str]:
    """Translated messages of what is missing to leave the current stage; [] when met."""
    return missing(agreement.stage, collect_facts(agreement))


def gate_missing_for(agreements: list[Agreement]) -> dict[int, list[str]]:
    """gate_missing() of several agreements ({pk: messages}) in one query."""
    facts = collect_facts_for(agreements)
    return {agreement.pk: missing(agreement.stage, facts[agreement.pk]) for agreement in agreements}
