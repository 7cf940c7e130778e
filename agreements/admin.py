"""The admin for administrators. It must not become a back door around the
workflow: every write goes through agreements.services (as_administrator=True),
so the admin is refused what the pages and the API are refused (a frozen
memorandum, its signed copy, a terminated agreement, a field fixed once saved);
what the workflow sets (the cities once chosen, the kind after signing, stage,
status, signing date, term, expiry) is read-only here; agreements are archived
(terminated) rather than deleted; stage requests are decided only through the
workflow functions; history cannot be reverted. Every change says why: the
reason is the history row's.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken
from simple_history.admin import SimpleHistoryAdmin

from cities.validators import validate_line

from . import (
    admin_cities,  # noqa: F401 (registers the city directory's admin)
    reasons,
    services,
)
from .admin_base import AdministratorOnly
from .models import (
    Activity,
    Agreement,
    Commonality,
    Contact,
    Delegation,
    DepartmentSupport,
    Document,
    Goal,
    LegalApproval,
    Memorandum,
    MemorandumArticle,
    MemorandumOfficial,
    MunicipalitySettings,
    Reminder,
    Role,
    StageRequest,
    UserProfile,
)
from .permissions import Forbidden, is_administrator
from .uploads import inspect_upload

User = get_user_model()

_CITY_SEARCH = [
    "home_city__name",
    "home_city__name_fa",
    "partner_city__name",
    "partner_city__name_fa",
]


REFUSED = (services.WorkflowError, Forbidden, ValidationError)


def _message(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return exc.message


class ReasonForm(forms.ModelForm):
    """An admin form whose save says why (the history row's reason), and which is
    checked by the service's rules before it is saved (refusals show on the form)."""

    reason = forms.CharField(
        label=_("Reason for this change"),
        max_length=300,
        validators=[validate_line],
        help_text=_("Kept in the history with the change."),
    )
    user = None  # set by ServiceAdmin.get_form

    def check(self) -> None:
        """The service's rules for the object as the form would save it."""

    def _post_clean(self) -> None:
        # After the instance carries the form's values (as Django's UserCreationForm does).
        super()._post_clean()
        if self.errors:
            return
        try:
            self.check()
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    self.add_error(name if name in self.fields else None, errors)
            else:
                self.add_error(None, exc)
        except (services.WorkflowError, Forbidden) as exc:
            self.add_error(None, exc.message)


class ServiceAdmin(AdministratorOnly, SimpleHistoryAdmin):
    """Writes through agreements.services; no bulk delete (each record's delete is
    judged on its own)."""

    form = ReasonForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _reason(self, form, code: str, **values) -> str:
        """The history reason of an administrator's change: what was done, through
        the admin, and the administrator's own words."""
        return reasons.reason(code, via="admin", note=form.cleaned_data.get("reason"), **values)


@admin.register(Agreement)
class AgreementAdmin(ServiceAdmin):
    list_display = [
        "id",
        "home_name",
        "home_name_fa",
        "partner_name",
        "partner_name_fa",
        "partner_country",
        "kind",
        "stage",
        "status",
        "signed_year",
    ]
    list_display_links = ["id", "home_name", "partner_name"]
    list_filter = [
        "stage",
        "status",
        "kind",
        "origin",
        ("home_city", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["home_city", "partner_city"]
    search_fields = _CITY_SEARCH + ["title"]
    autocomplete_fields = ["home_city", "partner_city", "responsible_officer"]
    show_full_result_count = False
    # Shown read-only: what the workflow sets, and the stamps (not the internal sort keys).
    _SHOWN_READ_ONLY = [
        "home_city",
        "partner_city",
        "kind",
        "stage",
        "status",
        "stage_changed_at",
        "signed_on",
        "signed_year",
        "term_years",
        "expires_on",
        "created_at",
        "updated_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        """Everything but what services.update_agreement takes (and, when adding, the
        two cities and the kind)."""
        editable = services.agreement_editable_fields(obj)
        if obj is None:
            editable |= {"home_city", "partner_city"}
        # A model field added later is read-only here until the service takes it.
        later = [
            f.name
            for f in Agreement._meta.concrete_fields
            if f.editable and not f.primary_key and f.name not in self._SHOWN_READ_ONLY
        ]
        return [name for name in self._SHOWN_READ_ONLY + later if name not in editable]

    @admin.display(description=_("home municipality"), ordering="home_city__name")
    def home_name(self, obj: Agreement) -> str:
        return obj.home_city.name

    @admin.display(description=_("partner city"), ordering="partner_city__name")
    def partner_name(self, obj: Agreement) -> str:
        return obj.partner_city.name

    @admin.display(description=_("home (Persian)"), ordering="home_city__name_fa")
    def home_name_fa(self, obj: Agreement) -> str:
        return obj.home_city.name_fa

    @admin.display(description=_("partner (Persian)"), ordering="partner_city__name_fa")
    def partner_name_fa(self, obj: Agreement) -> str:
        return obj.partner_city.name_fa

    @admin.display(description=_("partner country"), ordering="partner_city__country")
    def partner_country(self, obj: Agreement) -> str:
        return obj.partner_city.country.name

    def has_delete_permission(self, request, obj=None) -> bool:
        # Agreements are never deleted: they are terminated (archived).
        return False

    def save_model(self, request, obj, form, change) -> None:
        fields = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.agreement_editable_fields(obj if change else None)
        }
        try:
            if change:
                services.update_agreement(
                    agreement=obj,
                    by=request.user,
                    reason=self._reason(form, "agreement_edited"),
                    as_administrator=True,
                    **fields,
                )
                obj.refresh_from_db()
            else:
                fields.pop("kind", None)
                created = services.create_agreement(
                    by=request.user,
                    home_city=form.cleaned_data["home_city"],
                    partner_city=form.cleaned_data["partner_city"],
                    kind=form.cleaned_data["kind"],
                    as_administrator=True,
                    **fields,
                )
                obj.pk = created.pk
                obj.refresh_from_db()
        except REFUSED as exc:
            raise PermissionDenied(_message(exc))


class RecordForm(ReasonForm):
    def check(self) -> None:
        services.check_record(record=self.instance, by=self.user, as_administrator=True)


class RecordAdmin(ServiceAdmin):
    form = RecordForm
    list_select_related = ["agreement__home_city", "agreement__partner_city"]
    search_fields = ["agreement__" + f for f in _CITY_SEARCH]
    autocomplete_fields = ["agreement"]
    readonly_fields = ["version", "created_at", "updated_at", "created_by"]
    # Chosen when the record is added, shown read-only afterwards.
    fixed_once_saved = ["agreement"]

    def get_fields(self, request, obj=None):
        """The record's agreement and its EDITABLE_FIELDS (what services let change),
        then what is shown read-only."""
        readonly = self.get_readonly_fields(request, obj)
        editable = [
            name for name in ("agreement", *self.model.EDITABLE_FIELDS) if name not in readonly
        ]
        return editable + [name for name in readonly if name not in editable]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields = [f for f in self.fixed_once_saved if f not in fields] + fields
        return fields

    def has_delete_permission(self, request, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None:
            return True
        try:
            services.check_record_delete(record=obj, by=request.user, as_administrator=True)
        except REFUSED:
            return False
        return True

    def save_model(self, request, obj, form, change) -> None:
        try:
            services.save_record(
                record=obj,
                by=request.user,
                reason=self._reason(
                    form, "record_edited" if change else "record_added", kind=obj._meta.model_name
                ),
                as_administrator=True,
            )
        except REFUSED as exc:  # changed meanwhile: the form's check passed a moment ago
            raise PermissionDenied(_message(exc))

    def delete_model(self, request, obj) -> None:
        try:
            services.delete_record(
                record=obj,
                by=request.user,
                reason=reasons.reason("record_deleted", kind=obj._meta.model_name, via="admin"),
                as_administrator=True,
            )
        except REFUSED as exc:
            raise PermissionDenied(_message(exc))


@admin.register(Contact)
class ContactAdmin(RecordAdmin):
    list_display = ["agreement", "date", "participants", "place"]
    list_filter = ["date"]


@admin.register(Goal)
class GoalAdmin(RecordAdmin):
    list_display = ["agreement", "sector", "description"]
    list_filter = ["sector"]


@admin.register(Commonality)
class CommonalityAdmin(RecordAdmin):
    list_display = ["agreement", "kind", "description"]
    list_filter = ["kind"]


@admin.register(DepartmentSupport)
class DepartmentSupportAdmin(RecordAdmin):
    list_display = ["agreement", "department", "supported_on", "joint_committee"]
    list_filter = ["department", "joint_committee"]


@admin.register(LegalApproval)
class LegalApprovalAdmin(RecordAdmin):
    list_display = ["agreement", "side", "authority", "status", "reference", "decided_on"]
    list_filter = ["side", "authority", "status"]
    autocomplete_fields = ["agreement", "document"]


@admin.register(Delegation)
class DelegationAdmin(RecordAdmin):
    list_display = ["agreement", "direction", "start_date", "end_date", "head", "official"]
    list_filter = ["direction", "official"]


@admin.register(Activity)
class ActivityAdmin(RecordAdmin):
    list_display = ["agreement", "sector", "title", "start_date", "end_date"]
    list_filter = ["sector"]


class DocumentAdminForm(RecordForm):
    """The admin's upload passes the same check as the pages and the API."""

    class Meta:
        model = Document
        fields = ["agreement", "memorandum", "kind", "title", "file"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):  # a new file, not the one already stored
            inspect_upload(upload)  # size, type by its bytes (agreements/uploads.py)
        return upload


@admin.register(Document)
class DocumentAdmin(RecordAdmin):
    form = DocumentAdminForm
    list_display = ["agreement", "kind", "title", "original_name", "size", "created_at"]
    list_filter = ["kind"]
    search_fields = RecordAdmin.search_fields + ["title", "original_name"]
    readonly_fields = RecordAdmin.readonly_fields + [
        "original_name",
        "content_type",
        "size",
        "sha256",
    ]
    fixed_once_saved = ["agreement", "file"]
    autocomplete_fields = ["agreement", "memorandum"]


class _MemorandumPartInline(admin.StackedInline):
    """The articles (officials) of a memorandum: read-only once it is frozen."""

    extra = 0

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.is_frozen

    def has_view_permission(self, request, obj=None) -> bool:
        # Shown to every administrator (not only to holders of Django's model
        # permissions), so a frozen memorandum's articles and officials are read.
        return is_administrator(request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        return not self._frozen(obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self._frozen(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self._frozen(obj)


class MemorandumArticleInline(_MemorandumPartInline):
    model = MemorandumArticle
    fields = list(MemorandumArticle.EDITABLE_FIELDS)


class MemorandumOfficialInline(_MemorandumPartInline):
    model = MemorandumOfficial
    fields = list(MemorandumOfficial.EDITABLE_FIELDS)


@admin.register(Memorandum)
class MemorandumAdmin(RecordAdmin):
    list_display = ["agreement", "number", "kind", "signed_on", "place", "frozen_at"]
    list_filter = ["kind", ("frozen_at", admin.EmptyFieldListFilter)]
    search_fields = RecordAdmin.search_fields + [
        "place",
        "home_signatory_name",
        "partner_signatory_name",
    ]
    readonly_fields = RecordAdmin.readonly_fields + [
        "number",
        "kind",
        "supersedes",
        "frozen_at",
        "frozen_by",
        "pdf",
        "pdf_sha256",
        "content_sha256",
    ]
    inlines = [MemorandumOfficialInline, MemorandumArticleInline]

    def has_change_permission(self, request, obj=None) -> bool:
        # A frozen memorandum is the signed text: it is never edited.
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def save_formset(self, request, form, formset, change) -> None:
        """The articles and the officials, each through the service like the
        memorandum itself."""
        code = "officials_edited" if formset.model is MemorandumOfficial else "articles_edited"
        reason = self._reason(form, code)
        try:
            for part in formset.save(commit=False):
                services.save_record(
                    record=part, by=request.user, reason=reason, as_administrator=True
                )
            for part in formset.deleted_objects:
                services.delete_record(
                    record=part, by=request.user, reason=reason, as_administrator=True
                )
        except REFUSED as exc:
            raise PermissionDenied(_message(exc))


@admin.register(StageRequest)
class StageRequestAdmin(AdministratorOnly, SimpleHistoryAdmin):
    """Read-only: requests are made and decided only through the workflow."""

    list_display = [
        "agreement",
        "action",
        "from_stage",
        "to_stage",
        "requested_by",
        "state",
        "decided_by",
        "created_at",
    ]
    list_filter = ["state", "action", "to_stage"]
    list_select_related = [
        "agreement__home_city",
        "agreement__partner_city",
        "requested_by",
        "decided_by",
    ]
    search_fields = ["agreement__" + f for f in _CITY_SEARCH]
    show_full_result_count = False
    # Approval only: a rejection needs its own reason, given on the agreement page,
    # in the approvals queue or through the API (services.reject_stage_request).
    actions = ["approve_selected"]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _decide(self, request, queryset, decide, done_message) -> None:
        # The same workflow functions as the pages and the API: four eyes, the
        # gate checked again, the approver's role in the home municipality.
        done = 0
        for stage_request in queryset.select_related("agreement"):
            try:
                decide(stage_request=stage_request, by=request.user, via="admin")
                done += 1
            except (services.WorkflowError, Forbidden) as exc:
                self.message_user(request, f"{stage_request}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Approve the selected requests"), permissions=["view"])
    def approve_selected(self, request, queryset) -> None:
        self._decide(
            request, queryset, services.approve_stage_request, _("%(count)s request(s) approved.")
        )


@admin.register(Role)
class RoleAdmin(AdministratorOnly, SimpleHistoryAdmin):
    list_display = ["user", "role", "city"]
    list_filter = ["role", ("city", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "city"]
    search_fields = ["user__username", "user__email", "city__name", "city__name_fa"]
    autocomplete_fields = ["user", "city"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(MunicipalitySettings)
class MunicipalitySettingsAdmin(AdministratorOnly, SimpleHistoryAdmin):
    list_display = ["city", "required_authorities", "delegations_each_way"]
    list_select_related = ["city"]
    autocomplete_fields = ["city"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(Reminder)
class ReminderAdmin(AdministratorOnly, admin.ModelAdmin):
    list_display = ["agreement", "reason", "sent_on"]
    list_filter = ["reason", "sent_on"]
    list_select_related = ["agreement__home_city", "agreement__partner_city"]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UserProfile)
class UserProfileAdmin(AdministratorOnly, SimpleHistoryAdmin):
    list_display = ["user", "language"]
    list_select_related = ["user"]
    search_fields = ["user__username"]


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    fields = ["role", "city"]
    autocomplete_fields = ["city"]


# API tokens: an administrator sees and revokes them (deletes), never makes one: a
# token made in the admin would let its maker act as its user (knox's own admin
# offers that, so it is replaced). Users make their own through the API.
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(AdministratorOnly, admin.ModelAdmin):
    list_display = ["user", "token_key", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["user__username", "token_key"]
    readonly_fields = ["user", "token_key", "created", "expiry"]
    fields = readonly_fields

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(AdministratorOnly, DjangoUserAdmin):
    inlines = [RoleInline]
    list_display = ["username", "email", "first_name", "last_name", "is_active", "last_login"]
