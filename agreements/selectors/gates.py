"""The gate facts: what the records of an agreement say about its stage's gate.

agreements.workflow holds the gates themselves (`GateFacts`, `checklist`,
`missing`) and never reads the database; this module is the one place that
reads the records for them. The agreement page, the approvals queue, the API
and the services (a request to advance and its approval) all ask here:

- `collect_facts(agreement)`: the facts the gate of its current stage looks at
  (`workflow.GATE_READS`), one query per table that gate reads (one to three);
- `collect_facts_for(agreements)`: every fact of several agreements, one query
  per table (nine) whatever their number (the approvals queue);
- `gate_checklist`, `gate_missing`, `gate_missing_for`: the workflow's checklist
  and missing messages on those facts.

Each read is a plain queryset filtered by the agreements' ids (their foreign-key
indexes). One query with a correlated subquery per fact was tried: without
caching its compiled SQL (which needs Django's private internals), building it
cost more than these simple queries together (docs/performance.md, 2026-12-03).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ..models import (
    Agreement,
    ApprovalStatus,
    Commonality,
    Contact,
    Delegation,
    Department,
    DepartmentSupport,
    Document,
    DocumentKind,
    Goal,
    LegalApproval,
    Memorandum,
    MunicipalitySettings,
    Side,
    Stage,
)
from ..workflow import GATE_READS, GateFacts, GateItem, checklist, missing

_MEMORANDUM_FACTS = GATE_READS[Stage.SIGNING]


def collect_facts_for(
    agreements: list[Agreement],
    today: datetime.date | None = None,
    reads: frozenset[str] | None = None,
) -> dict[int, GateFacts]:
    """The gate facts of several agreements at once ({pk: facts}): one query per
    table read, whatever the number of agreements, so a page listing gates (the
    approvals queue) does not query per row. `reads` names the facts wanted
    (default: every fact); a fact not wanted is not read and keeps its default.
    No query when no agreement is given or no fact is wanted."""
    ids = [agreement.pk for agreement in agreements]
    if not ids:
        return {}
    today = today or timezone.localdate()

    def wanted(*facts: str) -> bool:
        return reads is None or not reads.isdisjoint(facts)

    def of_agreements(queryset: QuerySet) -> QuerySet:
        # Unordered: a model's default order would be added to GROUP BY / DISTINCT.
        return queryset.filter(agreement_id__in=ids).order_by()

    def count(queryset: QuerySet) -> dict[int, int]:
        rows = of_agreements(queryset).values_list("agreement_id").annotate(n=Count("pk"))
        return dict(rows)

    def having(queryset: QuerySet) -> set[int]:
        return set(of_agreements(queryset).values_list("agreement_id", flat=True).distinct())

    def codes(queryset: QuerySet, field: str) -> dict[int, frozenset[str]]:
        found: dict[int, set[str]] = defaultdict(set)
        for pk, code in of_agreements(queryset).values_list("agreement_id", field).distinct():
            found[pk].add(code)
        return {pk: frozenset(values) for pk, values in found.items()}

    facts: dict[int, dict] = {pk: {} for pk in ids}

    def put(name: str, values: dict[int, object]) -> None:
        for pk, value in values.items():
            facts[pk][name] = value

    if wanted("contacts"):
        put("contacts", count(Contact.objects.exclude(participants="")))
    if wanted("goals_with_sector"):
        put("goals_with_sector", count(Goal.objects.exclude(sector="")))
    if wanted("commonalities"):
        put("commonalities", count(Commonality.objects.all()))
    if wanted("council_support"):
        council = DepartmentSupport.objects.filter(department=Department.COUNCIL)
        put("council_support", dict.fromkeys(having(council), True))
    if wanted("granted_authorities"):
        granted = LegalApproval.objects.filter(status=ApprovalStatus.GRANTED)
        put("granted_authorities", codes(granted, "authority"))
    if wanted("completed_official_delegations", "open_official_delegations"):
        # One read for both: the official delegations that ended before today
        # (completed), and those begun before today with no end date recorded (what
        # the gate then names as missing).
        completed: dict[int, set[str]] = defaultdict(set)
        begun: dict[int, list[tuple[str, datetime.date]]] = defaultdict(list)
        official = Delegation.objects.filter(official=True).filter(
            Q(end_date__lt=today) | Q(end_date__isnull=True, start_date__lt=today)
        )
        rows = of_agreements(official).values_list(
            "agreement_id", "direction", "start_date", "end_date"
        )
        for pk, direction, start, end in rows:
            if end is None:
                begun[pk].append((direction, start))
            else:
                completed[pk].add(direction)
        put("completed_official_delegations", {pk: frozenset(v) for pk, v in completed.items()})
        put("open_official_delegations", {pk: tuple(sorted(v)) for pk, v in begun.items()})
    if wanted("required_authorities", "delegations_each_way"):
        # The home municipality's own settings; without a row, the defaults.
        home_cities = {agreement.home_city_id for agreement in agreements}
        settings = {
            city_id: (required, each_way)
            for city_id, required, each_way in MunicipalitySettings.objects.filter(
                city_id__in=home_cities
            ).values_list("city_id", "required_authorities", "delegations_each_way")
        }
        for agreement in agreements:
            if agreement.home_city_id not in settings:
                continue
            required, each_way = settings[agreement.home_city_id]
            if wanted("required_authorities") and required is not None:
                facts[agreement.pk]["required_authorities"] = tuple(required)
            if wanted("delegations_each_way"):
                facts[agreement.pk]["delegations_each_way"] = bool(each_way)
    if wanted(*_MEMORANDUM_FACTS):
        # The newest version decides (a few versions per agreement at most).
        newest: dict[int, dict] = {}
        versions = (
            of_agreements(Memorandum.objects.all())
            .order_by("agreement_id", "-number")
            .values(
                "agreement_id",
                "frozen_at",
                "signed_on",
                "home_signatory_name",
                "partner_signatory_name",
            )
            # Counted in the same query (a join on the officials' memorandum index).
            .annotate(
                home_officials=Count("officials", filter=Q(officials__side=Side.HOME)),
                partner_officials=Count("officials", filter=Q(officials__side=Side.PARTNER)),
            )
        )
        for version in versions:
            newest.setdefault(version["agreement_id"], version)
        signed = having(Document.objects.filter(kind=DocumentKind.SIGNED_MOU))
        for pk, memorandum in newest.items():
            facts[pk] |= {
                "memorandum_exists": True,
                "memorandum_frozen": memorandum["frozen_at"] is not None,
                "memorandum_signed_on": memorandum["signed_on"] is not None,
                "memorandum_home_signatory": memorandum["home_signatory_name"] != "",
                "memorandum_partner_signatory": memorandum["partner_signatory_name"] != "",
                "memorandum_home_officials": memorandum["home_officials"] > 0,
                "memorandum_partner_officials": memorandum["partner_officials"] > 0,
                "signed_copy_uploaded": pk in signed,
            }
    return {pk: GateFacts(**values) for pk, values in facts.items()}


def collect_facts(agreement: Agreement, today: datetime.date | None = None) -> GateFacts:
    """What the gate of the agreement's current stage looks at (the other facts keep
    their defaults: evaluate these facts for `agreement.stage` only)."""
    reads = GATE_READS[agreement.stage]
    return collect_facts_for([agreement], today, reads=reads)[agreement.pk]


def gate_checklist(agreement: Agreement) -> list[GateItem]:
    """The gate of the agreement's current stage: every requirement, done or not."""
    return checklist(agreement.stage, collect_facts(agreement))


def gate_unmet(agreement: Agreement) -> list[GateItem]:
    """The requirements of the current stage's gate that are not done; [] when met."""
    return [item for item in gate_checklist(agreement) if not item.done]


def gate_missing(agreement: Agreement) -> list[str]:
    """Translated messages of what is missing to leave the current stage; [] when met."""
    return missing(agreement.stage, collect_facts(agreement))


def gate_missing_for(agreements: list[Agreement]) -> dict[int, list[str]]:
    """gate_missing() of several agreements ({pk: messages}) in a fixed number of queries."""
    facts = collect_facts_for(agreements)
    return {agreement.pk: missing(agreement.stage, facts[agreement.pk]) for agreement in agreements}
