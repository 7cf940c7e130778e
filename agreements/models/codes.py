"""The stored codes, exactly those of DESIGN.md's "Codes" table; labels are translated."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- Codes ---------------------------------------------------------------------


class Stage(models.TextChoices):
    CONTACT = "contact", _("Mayoral contact")
    GOALS = "goals", _("Goal definition")
    LEGAL = "legal", _("Legal approvals")
    SIGNING = "signing", _("MoU signing")
    DELEGATIONS = "delegations", _("Delegation exchanges")
    ACTIVE = "active", _("Active partnership")


class Status(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class Kind(models.TextChoices):
    FRIENDSHIP = "friendship", _("Friendship city")
    SISTER = "sister", _("Sister city")


class Origin(models.TextChoices):
    MUNICIPAL_RELATIONS = "municipal_relations", _("Prior municipal relations")
    TRADE = "trade", _("Trade relations")
    HISTORICAL_TIES = "historical_ties", _("Historical or ancestral ties")
    GEOGRAPHIC = "geographic", _("Geographic commonality")
    PERSONAL = "personal", _("Personal experience (study, work, marriage abroad)")
    IMMIGRANTS = "immigrants", _("Immigrant community")
    SHARED_NAME = "shared_name", _("Shared name or festival")
    OTHER = "other", _("Other")


class Sector(models.TextChoices):
    CULTURE = "culture", _("Culture")
    ECONOMY = "economy", _("Economy and trade")
    TOURISM = "tourism", _("Tourism")
    SCIENCE = "science", _("Science and universities")
    TECHNOLOGY = "technology", _("Technology and urban management")
    ENVIRONMENT = "environment", _("Environment")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    YOUTH = "youth", _("Youth and sports")
    SAFETY = "safety", _("Public safety")
    ARTS = "arts", _("Arts")
    OTHER = "other", _("Other")


class CommonalityKind(models.TextChoices):
    CULTURAL = "cultural", _("Cultural")
    ECONOMIC = "economic", _("Economic")
    HISTORICAL = "historical", _("Historical")
    GEOGRAPHIC = "geographic", _("Geographic")
    LINGUISTIC = "linguistic", _("Linguistic")
    RELIGIOUS = "religious", _("Religious")
    OTHER = "other", _("Other")


class Department(models.TextChoices):
    COUNCIL = "council", _("City council")
    ECONOMIC = "economic", _("Economic department")
    TECHNICAL = "technical", _("Technical department")
    SECURITY = "security", _("Security department")
    NGO = "ngo", _("Non-governmental organisations")
    PRIVATE = "private", _("Private sector")
    UNIVERSITY = "university", _("University")
    OTHER = "other", _("Other")


class Authority(models.TextChoices):
    HOME_COUNCIL = "home_council", _("Home city council")
    HOME_MINISTRY = "home_ministry", _("Home national ministry")
    PARTNER_AUTHORITY = "partner_authority", _("Partner's authority")
    OTHER = "other", _("Other")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    REQUESTED = "requested", _("Requested")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class Side(models.TextChoices):
    HOME = "home", _("Home side")
    PARTNER = "partner", _("Partner side")


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Outgoing")
    INCOMING = "incoming", _("Incoming")


class DocumentKind(models.TextChoices):
    SIGNED_MOU = "signed_mou", _("Signed MoU")
    LETTER = "letter", _("Letter")
    MINUTES = "minutes", _("Minutes")
    PHOTO = "photo", _("Photo")
    OTHER = "other", _("Other")


class RequestState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RequestAction(models.TextChoices):
    """A consequential move: asked for by one person, decided by an approver of the
    home municipality who is not that person (agreements.services.make_request)."""

    ADVANCE = "advance", _("Advance to the next stage")
    UPGRADE = "upgrade", _("Upgrade to sister city")
    REOPEN = "reopen", _("Reopen an earlier stage")
    SUSPEND = "suspend", _("Suspend the partnership")
    RESUME = "resume", _("Resume the partnership")
    TERMINATE = "terminate", _("Terminate the partnership")


class RoleName(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    OFFICER = "officer", _("Officer")
    APPROVER = "approver", _("Approver")
    ADMINISTRATOR = "administrator", _("Administrator")


class Language(models.TextChoices):
    PERSIAN = "fa", _("Persian")
    ENGLISH = "en", _("English")


class PartnerLanguage(models.TextChoices):
    """The languages a memorandum can be signed in besides Persian and English:
    those of Tehran's partners. Each has its wording in locale/<code>/ (context
    "memorandum") and a bundled font (static/css/pdf-languages.css)."""

    ARABIC = "ar", _("Arabic")
    RUSSIAN = "ru", _("Russian")
    TURKISH = "tr", _("Turkish")
    CHINESE = "zh-hans", _("Chinese (simplified)")
    SPANISH = "es", _("Spanish")
    FRENCH = "fr", _("French")
    GERMAN = "de", _("German")
    HUNGARIAN = "hu", _("Hungarian")
    ARMENIAN = "hy", _("Armenian")
    GEORGIAN = "ka", _("Georgian")


class ArticleKey(models.TextChoices):
    SUBJECT = "subject", _("Subject")
    AREAS = "areas", _("Areas of cooperation")
    IMPLEMENTATION = "implementation", _("Implementation and joint committee")
    DELEGATIONS = "delegations", _("Delegations")
    DURATION = "duration", _("Duration and renewal")
    TERMINATION = "termination", _("Termination")
    FINAL = "final", _("Final provisions")
    OTHER = "other", _("Other")


class ReminderReason(models.TextChoices):
    STALLED = "stalled", _("Stalled")
    EXPIRING = "expiring", _("Expiring")
    DORMANT = "dormant", _("Dormant")
    PLAN_OVERDUE = "plan_overdue", _("Action plan items overdue")


# --- Background exports ------------------------------------------------------------------------


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")
    SIGNED_MOU_ZIP = "zip", _("Signed memoranda (ZIP)")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportSource(models.TextChoices):
    PAGE = "page", _("Agreement list")
    API = "api", _("API")


class ExportError(models.TextChoices):
    """Why an export failed, in words the owner reads in their language."""

    NO_ACCESS = "no_access", _("You no longer have a role that lets you see these agreements.")
    INVALID_FILTERS = (
        "invalid_filters",
        _("The list's filters are no longer valid for you; start the export again from the list."),
    )
    INTERRUPTED = "interrupted", _("The export was interrupted; start it again.")
    DAMAGED = (
        "damaged",
        _("The stored file did not match its checksum and was deleted; start the export again."),
    )
    FAILED = "failed", _("The export could not be written; start it again or ask an administrator.")
