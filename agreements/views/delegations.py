"""The delegation page and what is recorded under a delegation; the gift register.

/agreements/<pk>/delegations/<id>/                the page: participants, the
    programme day by day, the budget with its totals, gifts, ceremonies
/agreements/<pk>/delegations/<id>/<kind>/new/     and .../<kind>/<record>/edit/,
    .../<kind>/<record>/delete/ (POST): htmx forms like the agreement page's
/agreements/<pk>/delegations/<id>/programme.pdf   the bilingual programme
/gifts/, /gifts/export.csv, /gifts/export.xlsx    the municipality-wide register

Every write through agreements.services (save_record, delete_record,
save_ceremony): viewers read, officers write, another municipality's agreement is
404, a terminated agreement takes no write. A participant's passport and visa are
shown only to those permissions.can_see_travel_documents allows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from .. import delegation_forms, gift_export, services
from ..downloads import file_response, private
from ..models import (
    BudgetLine,
    Ceremony,
    Delegation,
    DelegationParticipant,
    Gift,
    GiftDirection,
    ProgrammeItem,
)
from ..permissions import (
    Forbidden,
    can_see_travel_documents,
    get_agreement_for_user,
)
from ..selectors.delegations import (
    agenda,
    budget_totals,
    budget_totals_by_year,
    gift_years,
    totals_by_year,
    visible_gifts,
)
from .access import role_required
from .common import add_validation_errors, forbidden, is_htmx, refused


@dataclass(frozen=True)
class PartKind:
    slug: str
    model: type[Model]
    form: type
    title: object
    add_label: object

    @property
    def anchor(self) -> str:
        return f"section-{self.slug}"

    @property
    def template(self) -> str:
        return f"agreements/delegations/_{self.slug.replace('-', '_')}.html"

    @property
    def verbose_name(self) -> str:
        return self.model._meta.verbose_name


PART_KINDS = {
    kind.slug: kind
    for kind in [
        PartKind(
            "participants",
            DelegationParticipant,
            delegation_forms.ParticipantForm,
            _("Participants"),
            _("Add a participant"),
        ),
        PartKind(
            "programme",
            ProgrammeItem,
            delegation_forms.ProgrammeItemForm,
            _("Programme"),
            _("Add a programme item"),
        ),
        PartKind(
            "budget-lines",
            BudgetLine,
            delegation_forms.BudgetLineForm,
            _("Budget"),
            _("Add a budget line"),
        ),
        PartKind("gifts", Gift, delegation_forms.GiftForm, _("Gifts"), _("Record a gift")),
        PartKind(
            "ceremonies",
            Ceremony,
            delegation_forms.CeremonyForm,
            _("Ceremonies"),
            _("Record a ceremony"),
        ),
    ]
}


def _kind(slug: str) -> PartKind:
    try:
        return PART_KINDS[slug]
    except KeyError:
        raise Http404


def _delegation(request: HttpRequest, pk: int, delegation_id: int):
    """The agreement (404 outside the user's municipalities) and its delegation."""
    agreement, can_edit = get_agreement_for_user(request.user, pk)
    delegation = get_object_or_404(Delegation, pk=delegation_id, agreement=agreement)
    delegation.agreement = agreement
    return agreement, delegation, can_edit


def _section_data(delegation: Delegation, kind: PartKind) -> dict:
    data: dict = {"kind": kind}
    if kind.slug == "programme":
        data["days"] = agenda(delegation)
        data["count"] = sum(len(day.items) for day in data["days"])
        return data
    queryset = kind.model.objects.filter(delegation=delegation).select_related("created_by")
    if kind.model is Gift:
        queryset = queryset.select_related("photo")
    if kind.model is Ceremony:
        queryset = queryset.prefetch_related("photos")
    data["records"] = list(queryset)
    data["count"] = len(data["records"])
    if kind.model is BudgetLine:
        data["totals"] = budget_totals(delegation)
        data["years"] = totals_by_year(
            budget_totals_by_year(delegation.agreement.delegations.all())
        )
    return data


def _context(request: HttpRequest, agreement, delegation, can_edit: bool) -> dict:
    return {
        "agreement": agreement,
        "delegation": delegation,
        "can_write": can_edit and agreement.is_live,
        "show_travel_documents": can_see_travel_documents(request.user, agreement),
    }


@role_required
@require_GET
def delegation_detail(request: HttpRequest, pk: int, delegation_id: int) -> HttpResponse:
    agreement, delegation, can_edit = _delegation(request, pk, delegation_id)
    context = _context(request, agreement, delegation, can_edit)
    context["sections"] = [_section_data(delegation, kind) for kind in PART_KINDS.values()]
    return render(request, "agreements/delegations/detail.html", context)


def _editable(request: HttpRequest, pk: int, delegation_id: int):
    agreement, delegation, can_edit = _delegation(request, pk, delegation_id)
    if not can_edit:
        return agreement, delegation, forbidden(request)
    if not agreement.is_live:
        return (
            agreement,
            delegation,
            refused(request, str(services.TERMINATED_READ_ONLY), agreement=agreement),
        )
    return agreement, delegation, None


def _page_url(agreement, delegation, kind: PartKind | None = None) -> str:
    url = reverse("agreements:delegation", args=[agreement.pk, delegation.pk])
    return f"{url}#{kind.anchor}" if kind else url


def _section_response(request, agreement, delegation, kind: PartKind, *, error: str = ""):
    context = _context(request, agreement, delegation, True)
    context |= {"data": _section_data(delegation, kind), "section_error": error}
    return render(request, "agreements/delegations/_section.html", context)


def _done(request, agreement, delegation, kind: PartKind, message: str) -> HttpResponse:
    if is_htmx(request):
        return _section_response(request, agreement, delegation, kind)
    messages.success(request, message)
    response = HttpResponse(status=303)
    response["Location"] = _page_url(agreement, delegation, kind)
    return response


def _form(request, kind: PartKind, record, show_travel_documents: bool):
    kwargs = {"instance": record}
    if kind.model is DelegationParticipant:
        kwargs["show_travel_documents"] = show_travel_documents
    if request.method == "POST":
        return kind.form(request.POST, request.FILES, **kwargs)
    return kind.form(**kwargs)


def _save(request, kind: PartKind, form) -> None:
    if kind.model is Ceremony:
        services.save_ceremony(
            record=form.instance,
            by=request.user,
            photos=list(form.cleaned_data.get("photos") or []),
            expected_version=form.expected_version,
        )
        return
    services.save_record(
        record=form.instance, by=request.user, expected_version=form.expected_version
    )


def _form_page(request, agreement, delegation, kind: PartKind, record, *, creating: bool):
    show = can_see_travel_documents(request.user, agreement)
    form = _form(request, kind, record, show)
    status = 200
    conflict = ""
    if request.method == "POST" and form.is_valid():
        try:
            _save(request, kind, form)
        except Forbidden as exc:
            return forbidden(request, exc)
        except services.Conflict as exc:
            current = kind.model.objects.filter(pk=record.pk).first()
            if current is not None:
                form.set_version(current.version)
            conflict = exc.message
            status = 409
        except services.WorkflowError as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return _done(
                request, agreement, delegation, kind, _g("Added.") if creating else _g("Saved.")
            )
    context = _context(request, agreement, delegation, True) | {
        "kind": kind,
        "form": form,
        "creating": creating,
        "conflict_message": conflict,
    }
    if is_htmx(request):
        response = render(request, "agreements/delegations/_form.html", {**context, "inline": True})
        if request.method == "POST":
            response = retarget(response, f"#form-slot-{kind.slug}")
            response = reswap(response, "innerHTML")
        return response
    return render(request, "agreements/delegations/form.html", context, status=status)


@role_required
@require_http_methods(["GET", "POST"])
def part_create(request: HttpRequest, pk: int, delegation_id: int, kind: str) -> HttpResponse:
    spec = _kind(kind)
    agreement, delegation, refusal = _editable(request, pk, delegation_id)
    if refusal:
        return refusal
    record = spec.model(delegation=delegation)
    if spec.model is ProgrammeItem and request.method == "GET":
        record.date = delegation.start_date
    return _form_page(request, agreement, delegation, spec, record, creating=True)


@role_required
@require_http_methods(["GET", "POST"])
def part_edit(
    request: HttpRequest, pk: int, delegation_id: int, kind: str, record_id: int
) -> HttpResponse:
    spec = _kind(kind)
    agreement, delegation, refusal = _editable(request, pk, delegation_id)
    if refusal:
        return refusal
    record = get_object_or_404(spec.model, pk=record_id, delegation=delegation)
    record.delegation = delegation
    return _form_page(request, agreement, delegation, spec, record, creating=False)


@role_required
@require_POST
def part_delete(
    request: HttpRequest, pk: int, delegation_id: int, kind: str, record_id: int
) -> HttpResponse:
    spec = _kind(kind)
    agreement, delegation, refusal = _editable(request, pk, delegation_id)
    if refusal:
        return refusal
    record = get_object_or_404(spec.model, pk=record_id, delegation=delegation)
    try:
        services.delete_record(record=record, by=request.user)
    except Forbidden as exc:
        return forbidden(request, exc)
    except services.WorkflowError as exc:
        if is_htmx(request):
            return _section_response(request, agreement, delegation, spec, error=exc.message)
        return refused(request, exc.message, agreement=agreement)
    return _done(request, agreement, delegation, spec, _g("Deleted."))


@role_required
@require_GET
def programme_pdf(request: HttpRequest, pk: int, delegation_id: int) -> HttpResponse:
    from .. import pdf

    agreement, delegation, _can_edit = _delegation(request, pk, delegation_id)
    content = pdf.render_programme(delegation)
    name = f"programme-{agreement.pk}-{delegation.pk}-{delegation.start_date.isoformat()}.pdf"
    return file_response(content, filename=name, content_type="application/pdf")


# --- The gift register -------------------------------------------------------------------------


def _register_filters(request: HttpRequest) -> tuple[int | None, str]:
    year = request.GET.get("year", "")
    direction = request.GET.get("direction", "")
    year_value = int(year) if year.isdigit() and 1900 <= int(year) <= 2100 else None
    if direction not in GiftDirection.values:
        direction = ""
    return year_value, direction


@role_required
@require_GET
def gift_register(request: HttpRequest) -> HttpResponse:
    year, direction = _register_filters(request)
    gifts = list(visible_gifts(request.user, year=year, direction=direction)[:1000])
    context = {
        "gifts": gifts,
        "years": gift_years(request.user),
        "year": year,
        "direction": direction,
        "directions": GiftDirection.choices,
        "query": request.GET.urlencode(),
    }
    return render(request, "agreements/delegations/gift_register.html", context)


@role_required
@require_GET
def gift_register_csv(request: HttpRequest) -> HttpResponse:
    year, direction = _register_filters(request)
    return private(
        gift_export.csv_response(visible_gifts(request.user, year=year, direction=direction))
    )


@role_required
@require_GET
def gift_register_xlsx(request: HttpRequest) -> HttpResponse:
    year, direction = _register_filters(request)
    return private(
        gift_export.xlsx_response(visible_gifts(request.user, year=year, direction=direction))
    )
