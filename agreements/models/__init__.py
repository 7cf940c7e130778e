"""The agreements between a home municipality and a partner city, and everything
logged against them, one module per part of the domain:

- `codes`: the stored codes (DESIGN.md's "Codes" table), labels translated;
- `base`: `Tracked` (stamps, version, history) and `Record` (logged by a user);
- `agreement`: `Agreement` and its queryset (derived flags, sort keys);
- `memoranda`: `Memorandum`, `MemorandumArticle` and `MemorandumOfficial`;
- `records`: contacts, goals, commonalities, support, legal approvals,
  delegations, activities, documents;
- `delegations`: what is recorded under a delegation (participants, programme,
  budget lines, gifts, ceremonies);
- `requests`: `StageRequest`;
- `partners`: `Counterpart`, `PartnerLink`, `PartnerComment`, `PartnerConfirmation`;
- `people`: roles, profiles, municipality settings, reminders;
- `exports`: `ExportJob`;
- `calendar`: `CalendarFeedToken` (a user's private calendar address);
- `idempotency`: `IdempotentRequest` (the first answer to an API POST with an
  `Idempotency-Key`).

Import from `agreements.models`; every model keeps its history (django-simple-history)
but the transient `ExportJob` and `IdempotentRequest`.
"""

from __future__ import annotations

from .agreement import (
    SORT_KEY_FIELDS,
    Agreement,
    AgreementQuerySet,
    dormant_cutoff,
    refresh_sort_keys,
    sort_key_column,
    sort_keys_of,
)
from .base import (
    TERM_YEARS_MAX,
    Record,
    Tracked,
)
from .calendar import (
    CalendarFeedToken,
)
from .codes import (
    ApprovalStatus,
    ArticleKey,
    Authority,
    CommonalityKind,
    Department,
    Direction,
    DocumentKind,
    ExportError,
    ExportFormat,
    ExportSource,
    ExportState,
    Kind,
    Language,
    Origin,
    PartnerLanguage,
    ReminderReason,
    RequestAction,
    RequestState,
    RoleName,
    Sector,
    Side,
    Stage,
    Status,
)
from .committees import (
    CommitteeMeeting,
    CommitteeMember,
)
from .delegations import (
    DELEGATION_PARTS,
    BudgetCategory,
    BudgetLine,
    Ceremony,
    CeremonyKind,
    Currency,
    DelegationParticipant,
    Gift,
    GiftDirection,
    ProgrammeItem,
    TravelDocumentStatus,
)
from .exports import (
    ExportJob,
    export_upload_to,
)
from .idempotency import (
    IDEMPOTENCY_TTL,
    IdempotentRequest,
)
from .memoranda import (
    ARTICLE_BODY_MAX,
    Memorandum,
    MemorandumArticle,
    MemorandumOfficial,
)
from .partners import (
    COUNTERPART_LANGUAGES,
    Counterpart,
    PartnerComment,
    PartnerConfirmation,
    PartnerLink,
)
from .people import (
    MunicipalitySettings,
    Reminder,
    Role,
    UserProfile,
    default_required_authorities,
)
from .plans import (
    ActionPlan,
    ActionPlanItem,
    Calendar,
    PlanItemStatus,
    year_span,
)
from .records import (
    Activity,
    Commonality,
    Contact,
    Delegation,
    DepartmentSupport,
    Document,
    Goal,
    LegalApproval,
    document_upload_to,
)
from .requests import (
    StageRequest,
)

__all__ = [
    "DELEGATION_PARTS",
    "BudgetCategory",
    "BudgetLine",
    "Ceremony",
    "CeremonyKind",
    "Currency",
    "DelegationParticipant",
    "Gift",
    "GiftDirection",
    "ProgrammeItem",
    "TravelDocumentStatus",
    "ARTICLE_BODY_MAX",
    "ActionPlan",
    "ActionPlanItem",
    "Calendar",
    "CommitteeMeeting",
    "CommitteeMember",
    "PlanItemStatus",
    "year_span",
    "Activity",
    "Agreement",
    "AgreementQuerySet",
    "ApprovalStatus",
    "ArticleKey",
    "Authority",
    "CalendarFeedToken",
    "Commonality",
    "CommonalityKind",
    "COUNTERPART_LANGUAGES",
    "Contact",
    "Counterpart",
    "Delegation",
    "Department",
    "DepartmentSupport",
    "Direction",
    "Document",
    "DocumentKind",
    "ExportError",
    "ExportFormat",
    "ExportJob",
    "ExportSource",
    "ExportState",
    "Goal",
    "IDEMPOTENCY_TTL",
    "IdempotentRequest",
    "Kind",
    "Language",
    "LegalApproval",
    "Memorandum",
    "MemorandumArticle",
    "MemorandumOfficial",
    "MunicipalitySettings",
    "Origin",
    "PartnerComment",
    "PartnerConfirmation",
    "PartnerLanguage",
    "PartnerLink",
    "Record",
    "Reminder",
    "ReminderReason",
    "RequestAction",
    "RequestState",
    "Role",
    "RoleName",
    "SORT_KEY_FIELDS",
    "Sector",
    "Side",
    "Stage",
    "StageRequest",
    "Status",
    "TERM_YEARS_MAX",
    "Tracked",
    "UserProfile",
    "default_required_authorities",
    "document_upload_to",
    "dormant_cutoff",
    "export_upload_to",
    "refresh_sort_keys",
    "sort_key_column",
    "sort_keys_of",
]
