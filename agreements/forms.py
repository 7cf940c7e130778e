"""Forms for the agreement and every kind of record logged against it.

Each form lists its fields explicitly; stage, status, version and decision
fields are never among them (they change only through agreements.services).
Edit forms carry the record's `version` in a hidden field: the view passes it
to the service as `expected_version`, which refuses a stale save (no lost
updates). Dates use JalaliDateField: Solar Hijri on Persian pages.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from cities.digits import persian_form_errors
from cities.models import City
from cities.validators import validate_text

from . import permissions, services, workflow
from .dates import format_size
from .forms_fields import JalaliDateField
from .models import (
    Activity,
    Agreement,
    Commonality,
    Contact,
    Delegation,
    DepartmentSupport,
    Document,
    DocumentKind,
    Goal,
    LegalApproval,
    Memorandum,
    MemorandumArticle,
    MemorandumOfficial,
    RequestAction,
    Role,
    RoleName,
    Side,
    Stage,
)
from .selectors.display import person_name
from .services import REQUEST_REASON_REQUIRED

# Kinds of files people attach to an agreement: letters, scans, photos, minutes.
# What agreements/uploads.py accepts by content; the names only guide the file picker.
ALLOWED_UPLOAD_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "docx", "xlsx"]

FILE_TOO_LARGE = _("The file is too large (%(size)s); the limit is %(limit)s.")


def check_upload_size(upload) -> None:
    """The one upload size limit of the document and import forms."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            FILE_TOO_LARGE,
            code="too_large",
            params={
                "size": format_size(upload.size),
                "limit": format_size(settings.UPLOAD_MAX_BYTES),
            },
        )


class StyledFormMixin:
    """Bootstrap classes on the widgets, and error state for assistive technology."""

    def _style_widgets(self) -> None:
        for name, field in self.fields.items():
            widget = field.widget
            if name.endswith("_fa"):
                # Persian text is typed right to left, whatever the page's language.
                widget.attrs.setdefault("dir", "rtl")
                widget.attrs.setdefault("lang", "fa")
            elif f"{name}_fa" in self.fields:
                # ...and its English counterpart left to right, even on a Persian page.
                widget.attrs.setdefault("dir", "ltr")
                widget.attrs.setdefault("lang", "en")
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            classes = widget.attrs.get("class", "").split()
            if css not in classes:
                widget.attrs["class"] = " ".join([*classes, css])
            if isinstance(widget, forms.Textarea) and widget.attrs.get("rows") == "10":
                widget.attrs["rows"] = 3  # Django's default of 10 rows is a wall

    def full_clean(self) -> None:
        super().full_clean()
        persian_form_errors(self)  # "at most ۲۰۰ characters" on Persian pages
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_errors"


class VersionedForm(StyledFormMixin, forms.ModelForm):
    """A model form that remembers which version of the object the user edits."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        # An edit without the version it started from could overwrite a newer save.
        self.fields["version"].required = editing
        if editing:
            self.fields["version"].initial = self.instance.version
        self._style_widgets()

    @property
    def expected_version(self) -> int | None:
        if self.instance.pk is None:
            return None
        return self.cleaned_data.get("version")

    def set_version(self, version: int) -> None:
        """After a conflict: keep what the user typed, but let the next save go
        against the version now stored (the user has seen the warning)."""
        data = self.data.copy()
        data[self.add_prefix("version")] = str(version)
        self.data = data


# --- Agreement -------------------------------------------------------------------------------


class AgreementCreateForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "home_city",
            "partner_city",
            "kind",
            "origin",
            "title",
            "summary",
            "first_contact_on",
        ]
        field_classes = {"first_contact_on": JalaliDateField}

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        homes = permissions.home_city_ids(user, RoleName.OFFICER)
        self.fields["home_city"].queryset = City.objects.filter(pk__in=homes, is_home=True)
        self.fields["home_city"].empty_label = None if len(homes) == 1 else "---------"
        self.fields["partner_city"].queryset = City.objects.order_by("name")
        self._style_widgets()


class AgreementEditForm(VersionedForm):
    class Meta:
        model = Agreement
        fields = [
            "title",
            "summary",
            "kind",
            "origin",
            "first_contact_on",
            "responsible_officer",
            "public",
            "public_summary",
            "public_summary_fa",
        ]
        field_classes = {"first_contact_on": JalaliDateField}
        widgets = {
            "public_summary": forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
            "public_summary_fa": forms.Textarea(attrs={"rows": 3, "dir": "rtl"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        agreement = self.instance
        # The kind changes freely before signing; afterwards only by an approved upgrade.
        if "kind" not in services.agreement_editable_fields(agreement):
            del self.fields["kind"]
        staff = Role.objects.filter(
            city_id=agreement.home_city_id, role__in=[RoleName.OFFICER, RoleName.APPROVER]
        ).values("user_id")
        self.fields["responsible_officer"].queryset = (
            get_user_model()
            .objects.filter(pk__in=staff, is_active=True)
            .order_by("first_name", "last_name", "username")
        )
        self.fields["responsible_officer"].label_from_instance = person_name

    def changed_values(self) -> dict:
        """The model fields to hand to services.update_agreement."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}


# --- Records -------------------------------------------------------------------------------------


class ContactForm(VersionedForm):
    class Meta:
        model = Contact
        fields = list(Contact.EDITABLE_FIELDS)
        field_classes = {"date": JalaliDateField}


class GoalForm(VersionedForm):
    class Meta:
        model = Goal
        fields = list(Goal.EDITABLE_FIELDS)
        field_classes = {"target_date": JalaliDateField}


class CommonalityForm(VersionedForm):
    class Meta:
        model = Commonality
        fields = list(Commonality.EDITABLE_FIELDS)


class DepartmentSupportForm(VersionedForm):
    class Meta:
        model = DepartmentSupport
        fields = list(DepartmentSupport.EDITABLE_FIELDS)
        field_classes = {"supported_on": JalaliDateField}


class LegalApprovalForm(VersionedForm):
    # `status` here is the legal authority's answer (requested, granted...), which
    # the officer records from the authority's letter; it is not the agreement's status.
    class Meta:
        model = LegalApproval
        fields = list(LegalApproval.EDITABLE_FIELDS)
        field_classes = {"requested_on": JalaliDateField, "decided_on": JalaliDateField}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = Document.objects.filter(
            agreement_id=self.instance.agreement_id
        )


# The partner language's texts run either way (Arabic, Russian, Chinese...).
PARTNER_TEXT = forms.TextInput(attrs={"dir": "auto"})


class MemorandumForm(VersionedForm):
    class Meta:
        model = Memorandum
        fields = list(Memorandum.EDITABLE_FIELDS)
        field_classes = {"signed_on": JalaliDateField}
        widgets = {
            name: PARTNER_TEXT for name in Memorandum.EDITABLE_FIELDS if name.endswith("_partner")
        }


class ArticleForm(VersionedForm):
    class Meta:
        model = MemorandumArticle
        fields = list(MemorandumArticle.EDITABLE_FIELDS)
        widgets = {
            "heading_fa": forms.TextInput(attrs={"dir": "rtl", "lang": "fa"}),
            "body_fa": forms.Textarea(attrs={"dir": "rtl", "lang": "fa", "rows": 5}),
            "heading_en": forms.TextInput(attrs={"dir": "ltr", "lang": "en"}),
            "body_en": forms.Textarea(attrs={"dir": "ltr", "lang": "en", "rows": 5}),
            "heading_partner": PARTNER_TEXT,
            "body_partner": forms.Textarea(attrs={"dir": "auto", "rows": 5}),
        }


class BaseArticleFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


ArticleFormSet = forms.inlineformset_factory(
    Memorandum,
    MemorandumArticle,
    form=ArticleForm,
    formset=BaseArticleFormSet,
    fields=list(MemorandumArticle.EDITABLE_FIELDS),  # a copy: the factory adds the link
    extra=1,  # an empty form to add an article; left empty, it is ignored
    can_delete=True,
)


class OfficialForm(VersionedForm):
    """One official present, on the side of the formset it is in (the side is not
    a field: each side has its own formset on the memorandum page)."""

    class Meta:
        model = MemorandumOfficial
        fields = [name for name in MemorandumOfficial.EDITABLE_FIELDS if name != "side"]
        widgets = {"name_partner": PARTNER_TEXT, "title_partner": PARTNER_TEXT}


class BaseOfficialFormSet(BaseArticleFormSet):
    side: str = ""

    def __init__(self, *args, side: str, **kwargs) -> None:
        self.side = side
        kwargs.setdefault("prefix", f"officials-{side}")
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.side = self.side  # a new official joins this formset's side
        return form

    def get_queryset(self):
        return super().get_queryset().filter(side=self.side).order_by("position", "id")

    @property
    def side_label(self) -> str:
        return str(Side(self.side).label)


OfficialFormSet = forms.inlineformset_factory(
    Memorandum,
    MemorandumOfficial,
    form=OfficialForm,
    formset=BaseOfficialFormSet,
    fields=[name for name in MemorandumOfficial.EDITABLE_FIELDS if name != "side"],
    extra=1,  # an empty form to add an official; left empty, it is ignored
    can_delete=True,
)


class DelegationForm(VersionedForm):
    class Meta:
        model = Delegation
        fields = list(Delegation.EDITABLE_FIELDS)
        field_classes = {"start_date": JalaliDateField, "end_date": JalaliDateField}


class ActivityForm(VersionedForm):
    class Meta:
        model = Activity
        fields = list(Activity.EDITABLE_FIELDS)
        field_classes = {"start_date": JalaliDateField, "end_date": JalaliDateField}


class DocumentForm(VersionedForm):
    """Upload on create; afterwards only the description changes (the file and its
    SHA-256 stay as uploaded)."""

    class Meta:
        model = Document
        fields = list(Document.EDITABLE_FIELDS)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        memoranda = Memorandum.objects.filter(agreement_id=self.instance.agreement_id)
        self.fields["memorandum"].queryset = memoranda
        if self.instance.pk is None and self.initial.get("kind") == DocumentKind.SIGNED_MOU:
            # A signed copy is of a memorandum version: the latest one, unless changed.
            latest = memoranda.order_by("-number").first()
            if latest is not None and not self.initial.get("memorandum"):
                self.initial["memorandum"] = latest.pk
        if self.instance.pk is not None:
            del self.fields["file"]
        else:
            self.fields["file"].validators.append(FileExtensionValidator(ALLOWED_UPLOAD_EXTENSIONS))
            self.fields["file"].widget.attrs["accept"] = ",".join(
                f".{ext}" for ext in ALLOWED_UPLOAD_EXTENSIONS
            )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload:
            check_upload_size(upload)
        return upload

    def _post_clean(self) -> None:
        super()._post_clean()
        upload = self.cleaned_data.get("file")
        if self.instance.pk is None and upload:
            # Kept as data only: the stored name is generated (document_upload_to).
            self.instance.original_name = PurePath(upload.name).name[:255]
            self.instance.content_type = (upload.content_type or "")[:100]
            self.instance.size = upload.size
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            self.instance.sha256 = digest.hexdigest()


# --- Workflow actions ------------------------------------------------------------------------------


class NoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_text],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class DecisionForm(NoteForm):
    """Approve (the note is optional) or reject (the note is the reason, required:
    services.reject_stage_request refuses a rejection without one)."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        help_text=_("Required to reject: the reason, sent to the requester."),
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_text],
    )


class RequestForm(StyledFormMixin, forms.Form):
    """A request for a consequential move (RequestAction): its reason, and for a
    reopen the earlier stage. services.make_request checks both again."""

    note = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": REQUEST_REASON_REQUIRED},
        validators=[validate_text],
    )

    def __init__(self, *args, action: str, agreement: Agreement, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if action == RequestAction.REOPEN:
            labels = dict(Stage.choices)
            self.fields["to_stage"] = forms.ChoiceField(
                label=_("Reopen at stage"),
                choices=[
                    (code, labels[code]) for code in workflow.previous_stages(agreement.stage)
                ],
            )
            self.order_fields(["to_stage", "note"])
        self._style_widgets()


IMPORT_EXTENSIONS = (".csv", ".xlsx")


class ImportForm(forms.Form):
    """The file of an import (agreements.importing), on the import page and in the
    API's POST /api/v1/imports/: one set of rules for what may be imported."""

    file = forms.FileField(
        label=_("CSV or XLSX file"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_EXTENSIONS)}),
    )
    # The file's own statement (a header such as "year (jalali)", a calendar
    # column) wins over this choice; without either a year below 1700 is Jalali.
    calendar = forms.ChoiceField(
        label=_("Calendar of the dates and years in this file"),
        choices=[
            ("", _("As the file states (else a year below 1700 is Solar Hijri)")),
            ("gregorian", _("Gregorian")),
            ("jalali", _("Solar Hijri (Jalali)")),
        ],
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in IMPORT_EXTENSIONS:
            raise ValidationError(_("Choose a .csv or .xlsx file."), code="file_type")
        check_upload_size(upload)
        return upload
