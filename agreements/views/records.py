"""Create and edit the agreement and every kind of record logged against it.

All writes go through agreements.services. Edit forms carry the version the
user started from; a stale save is refused (services.Conflict) and the form
comes back with what the user typed and a conflict message.

URLs: /agreements/new/, /agreements/<pk>/edit/, and for every record kind
(sections.KINDS) /agreements/<pk>/<kind>/new/, .../<kind>/<id>/edit/ and
.../<kind>/<id>/delete/ (POST only). htmx requests get the updated section and
checklist back instead of a redirect.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from .. import permissions, services, workflow
from ..dates import reader_digits
from ..forms import (
    AgreementCreateForm,
    AgreementEditForm,
    ArticleFormSet,
    MemorandumForm,
    OfficialFormSet,
)
from ..models import (
    Agreement,
    Memorandum,
    MemorandumArticle,
    RequestState,
    RoleName,
    Side,
)
from ..permissions import Forbidden, get_agreement_for_user
from ..selectors.display import yes_no
from ..templatetags.sistercities import jdate
from .access import role_required
from .common import add_validation_errors, forbidden, is_htmx, refused
from .partners import partner_review
from .sections import KINDS, RecordKind, checklist, get_kind, latest_memorandum, section


def _stored_display(current, name: str) -> str:
    value = getattr(current, name, None)
    if value is None or value == "":
        return "—"
    display = getattr(current, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime.date):
        return jdate(value)
    return str(value)


def _conflict_differences(form, current) -> list[dict]:
    """Fields where what the user typed differs from what is stored now."""
    differences = []
    for name, field in form.fields.items():
        if name == "version" or name not in form.cleaned_data:
            continue
        if getattr(current, name, None) != form.cleaned_data[name]:
            differences.append({"label": field.label, "stored": _stored_display(current, name)})
    return differences


def _handle_conflict(form, exc: services.Conflict, current) -> dict:
    """Keep what the user typed; the next save goes against the version stored now."""
    if current is not None:
        form.set_version(current.version)
    return {
        "conflict": True,
        "conflict_message": exc.message,
        "conflict_differences": _conflict_differences(form, current) if current else [],
    }


# --- The agreement ---------------------------------------------------------------------------


@role_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest) -> HttpResponse:
    """A new agreement, for officers (and approvers) of a home municipality."""
    if not permissions.home_city_ids(request.user, RoleName.OFFICER):
        return forbidden(request)
    form = AgreementCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = services.create_agreement(
                by=request.user,
                home_city=data["home_city"],
                partner_city=data["partner_city"],
                kind=data["kind"],
                origin=data["origin"],
                title=data["title"],
                summary=data["summary"],
                first_contact_on=data["first_contact_on"],
            )
        except Forbidden as exc:
            return forbidden(request, exc)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _g("The agreement was created."))
            return redirect("agreements:detail", agreement.pk)
    return render(request, "agreements/agreement_form.html", {"form": form, "agreement": None})


@role_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement, can_edit = get_agreement_for_user(request.user, pk)
    if not can_edit:
        return forbidden(request)
    if not agreement.is_live:
        return refused(request, str(services.TERMINATED_READ_ONLY), agreement=agreement)
    form = AgreementEditForm(request.POST or None, instance=agreement)
    status = 200
    extra: dict = {}
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agreement(
                agreement=agreement,
                by=request.user,
                expected_version=form.expected_version,
                **form.changed_values(),
            )
        except Forbidden as exc:
            return forbidden(request, exc)
        except services.Conflict as exc:
            current = Agreement.objects.filter(pk=pk).first()
            extra = _handle_conflict(form, exc, current)
            status = 409
        except services.WorkflowError as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _g("The agreement was saved."))
            return redirect("agreements:detail", agreement.pk)
    context = {"form": form, "agreement": agreement, **extra}
    return render(request, "agreements/agreement_form.html", context, status=status)


# --- Records -----------------------------------------------------------------------------------


def _editable_agreement(request: HttpRequest, pk: int) -> tuple[Agreement, HttpResponse | None]:
    """The agreement, or the response refusing a write (403 read-only, 409 terminated)."""
    agreement, can_edit = get_agreement_for_user(request.user, pk)
    if not can_edit:
        return agreement, forbidden(request)
    if not agreement.is_live:
        return agreement, refused(request, str(services.TERMINATED_READ_ONLY), agreement=agreement)
    return agreement, None


def _section_response(
    request: HttpRequest, agreement: Agreement, kind: RecordKind, *, error: str = ""
) -> HttpResponse:
    """The updated section and (out of band) the checklist, for htmx."""
    user = request.user
    actions = workflow.allowed_actions(
        stage=agreement.stage,
        status=agreement.status,
        kind=agreement.kind,
        user_id=user.pk,
        can_edit=permissions.can_edit_agreement(user, agreement),
        can_decide=permissions.can_decide(user, agreement),
        pending_request=agreement.stage_requests.filter(state=RequestState.PENDING).first(),
    )
    data = section(agreement, kind)
    context = {
        "agreement": agreement,
        "actions": actions,
        "can_write": "edit" in actions,
        "data": data,
        "section_error": error,
        "checklist": checklist(agreement, latest_memorandum(agreement)),
        "oob": True,
    }
    return render(request, "agreements/_record_saved.html", context)


def _saved(request: HttpRequest, agreement: Agreement, kind: RecordKind, message: str):
    if is_htmx(request):
        return _section_response(request, agreement, kind)
    messages.success(request, message)
    return redirect(f"{reverse('agreements:detail', args=[agreement.pk])}#{kind.anchor}")


def _form_response(request: HttpRequest, context: dict, *, status: int = 200) -> HttpResponse:
    kind = context["kind"]
    if is_htmx(request):
        # htmx swaps only 2xx answers: a refused save comes back as 200 and is
        # put where the form is, not in place of the section.
        response = render(request, "agreements/_record_form.html", {**context, "inline": True})
        if request.method == "POST":
            response = retarget(response, f"#form-slot-{kind.slug}")
            response = reswap(response, "innerHTML")
        return response
    return render(request, "agreements/record_form.html", context, status=status)


def _save_with_form(
    request: HttpRequest, agreement: Agreement, kind: RecordKind, form, *, creating: bool
) -> HttpResponse:
    status = 200
    extra: dict = {}
    if request.method == "POST" and form.is_valid():
        try:
            services.save_record(
                record=form.instance, by=request.user, expected_version=form.expected_version
            )
        except Forbidden as exc:
            return forbidden(request, exc)
        except services.Conflict as exc:
            current = kind.model.objects.filter(pk=form.instance.pk).first()
            extra = _handle_conflict(form, exc, current)
            status = 409
        except services.WorkflowError as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            message = _g("Saved.") if not creating else _g("Added.")
            return _saved(request, agreement, kind, message)
    context = {"agreement": agreement, "kind": kind, "form": form, "creating": creating, **extra}
    return _form_response(request, context, status=status)


def _initial_from_query(request: HttpRequest, form_class) -> dict:
    """Choices pre-selected by the checklist's links (?department=council)."""
    names = set(form_class.base_fields) - {"version", "file"}
    return {name: value for name, value in request.GET.items() if name in names}


@role_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    spec = get_kind(kind)
    agreement, refusal = _editable_agreement(request, pk)
    if refusal:
        return refusal
    if spec.slug == "memoranda":
        return _memorandum_create(request, agreement)
    record = spec.model(agreement=agreement)
    if request.method == "POST":
        form = spec.form(request.POST, request.FILES, instance=record)
    else:
        form = spec.form(instance=record, initial=_initial_from_query(request, spec.form))
    return _save_with_form(request, agreement, spec, form, creating=True)


@role_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, pk: int, kind: str, record_id: int) -> HttpResponse:
    spec = get_kind(kind)
    agreement, refusal = _editable_agreement(request, pk)
    if refusal:
        return refusal
    record = get_object_or_404(spec.model, pk=record_id, agreement=agreement)
    if spec.slug == "memoranda":
        return _memorandum_edit(request, agreement, record)
    if request.method == "POST":
        form = spec.form(request.POST, request.FILES, instance=record)
    else:
        form = spec.form(instance=record)
    return _save_with_form(request, agreement, spec, form, creating=False)


@role_required
@require_POST
def record_delete(request: HttpRequest, pk: int, kind: str, record_id: int) -> HttpResponse:
    spec = get_kind(kind)
    agreement, refusal = _editable_agreement(request, pk)
    if refusal:
        return refusal
    record = get_object_or_404(spec.model, pk=record_id, agreement=agreement)
    try:
        services.delete_record(record=record, by=request.user)
    except Forbidden as exc:
        return forbidden(request, exc)
    except services.WorkflowError as exc:
        if is_htmx(request):
            return _section_response(request, agreement, spec, error=exc.message)
        return refused(request, exc.message, agreement=agreement)
    return _saved(request, agreement, spec, _g("Deleted."))


# --- Memoranda: a new version from the goals, then its text and articles -----------------------


def _memorandum_create(request: HttpRequest, agreement: Agreement) -> HttpResponse:
    if request.method != "POST":
        return render(request, "agreements/memorandum_new.html", {"agreement": agreement})
    try:
        memorandum = services.new_memorandum(agreement=agreement, by=request.user)
    except Forbidden as exc:
        return forbidden(request, exc)
    except services.WorkflowError as exc:
        return refused(request, exc.message, agreement=agreement)
    messages.success(
        request,
        _g("Memorandum version %(number)s was created from the goals; review its text.")
        % {"number": reader_digits(memorandum.number)},
    )
    return redirect("agreements:record-edit", agreement.pk, "memoranda", memorandum.pk)


def _official_formsets(request: HttpRequest, memorandum: Memorandum) -> list:
    """One formset of officials present per side (home first)."""
    data = request.POST if request.method == "POST" else None
    return [
        OfficialFormSet(data, instance=memorandum, side=side) for side in (Side.HOME, Side.PARTNER)
    ]


def _memorandum_edit(
    request: HttpRequest, agreement: Agreement, memorandum: Memorandum
) -> HttpResponse:
    if memorandum.is_frozen:
        return refused(request, str(services.FROZEN), agreement=agreement)
    articles = MemorandumArticle.objects.filter(memorandum=memorandum).order_by("position", "id")
    if request.method == "POST":
        form = MemorandumForm(request.POST, instance=memorandum)
        formset = ArticleFormSet(request.POST, instance=memorandum, queryset=articles)
    else:
        form = MemorandumForm(instance=memorandum)
        formset = ArticleFormSet(instance=memorandum, queryset=articles)
    official_formsets = _official_formsets(request, memorandum)
    status = 200
    extra: dict = {}
    officials_valid = [each.is_valid() for each in official_formsets] if form.is_bound else []
    valid = (
        request.method == "POST" and form.is_valid() and formset.is_valid() and all(officials_valid)
    )
    if valid:
        try:
            _save_memorandum(request, form, [formset, *official_formsets])
        except Forbidden as exc:
            return forbidden(request, exc)
        except services.Conflict as exc:
            current = Memorandum.objects.filter(pk=memorandum.pk).first()
            extra = _handle_conflict(form, exc, current)
            for each in (formset, *official_formsets):
                _refresh_article_versions(each)
            status = 409
        except services.WorkflowError as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _g("The memorandum was saved."))
            return redirect(
                f"{reverse('agreements:detail', args=[agreement.pk])}#{KINDS['memoranda'].anchor}"
            )
    context = {
        "agreement": agreement,
        "memorandum": memorandum,
        "form": form,
        "formset": formset,
        "official_formsets": official_formsets,
        "officials_have_errors": any(f.total_error_count() for f in official_formsets),
        "partner": partner_review(memorandum),
        **extra,
    }
    return render(request, "agreements/memorandum_form.html", context, status=status)


def _save_memorandum(request: HttpRequest, form, formsets: list) -> None:
    """The memorandum, its articles and its officials present in one transaction: a
    conflict on any of them leaves all of them as they were."""
    by = request.user
    with transaction.atomic():
        # The parts first: a new partner language then fills the articles' texts
        # in it (services.save_record) after the edits made on this page.
        for formset in formsets:
            _save_parts(formset, form.instance, by)
        if form.has_changed():
            services.save_record(
                record=form.instance, by=by, expected_version=form.expected_version
            )


def _save_parts(formset, memorandum: Memorandum, by) -> None:
    """The articles (or one side's officials) of a memorandum formset."""
    model = formset.model
    for part_form in formset.forms:
        part = part_form.instance
        if part_form in formset.deleted_forms:
            if part.pk is not None:
                # delete_record takes no expected version: check it here, inside
                # the same transaction, so a deletion never discards an edit made
                # meanwhile.
                current = model.objects.filter(pk=part.pk).values_list("version", flat=True).first()
                if current != part_form.expected_version:
                    raise services.Conflict(services.STALE, code="version_conflict")
                services.delete_record(record=part, by=by)
            continue
        if not part_form.has_changed():
            continue
        part.memorandum = memorandum
        services.save_record(record=part, by=by, expected_version=part_form.expected_version)


def _refresh_article_versions(formset) -> None:
    current = dict(
        formset.model.objects.filter(
            pk__in=[f.instance.pk for f in formset.forms if f.instance.pk]
        ).values_list("pk", "version")
    )
    for article_form in formset.forms:
        if article_form.instance.pk in current:
            article_form.set_version(current[article_form.instance.pk])
