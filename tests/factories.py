"""factory-boy factories and the one persona set every test uses."""

from __future__ import annotations

import datetime
import hashlib
from types import SimpleNamespace

import factory
from django.contrib.auth import get_user_model

from agreements.models import (
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
    Role,
    RoleName,
    StageRequest,
)
from cities.models import City

User = get_user_model()


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    name = factory.Sequence(lambda n: f"Partner City {n}")
    name_fa = factory.Sequence(lambda n: f"شهر همکار {n}")
    country = "IT"


class HomeCityFactory(CityFactory):
    is_home = True
    country = "IR"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    home_city = factory.SubFactory(HomeCityFactory)
    partner_city = factory.SubFactory(CityFactory)
    kind = "friendship"
    origin = "trade"
    title = factory.Sequence(lambda n: f"Agreement {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    agreement = factory.SubFactory(AgreementFactory)
    date = datetime.date(2024, 5, 1)
    participants = "Both mayors"


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    agreement = factory.SubFactory(AgreementFactory)
    sector = "culture"
    description = "Hold a cultural week every year"


class CommonalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commonality

    agreement = factory.SubFactory(AgreementFactory)
    kind = "cultural"
    description = "Shared festival"


class DepartmentSupportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DepartmentSupport

    agreement = factory.SubFactory(AgreementFactory)
    department = "council"


class LegalApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalApproval

    agreement = factory.SubFactory(AgreementFactory)
    authority = "home_council"
    status = "granted"


class MemorandumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Memorandum
        skip_postgeneration_save = True  # the officials are rows of their own

    agreement = factory.SubFactory(AgreementFactory)
    # The next version of the agreement's memorandum (a reopened signing makes another).
    number = factory.LazyAttribute(lambda o: o.agreement.memoranda.count() + 1)
    signed_on = datetime.date(2025, 3, 1)
    place = "Tehran"
    home_signatory_name = "Home Mayor"
    home_signatory_title = "Mayor"
    partner_signatory_name = "Partner Mayor"
    partner_signatory_title = "Mayor"

    @factory.post_generation
    def officials(memorandum, create, extracted, **kwargs):
        """One official present on each side, as freezing needs; officials=False for
        none (a memorandum the freeze refuses)."""
        if not create or extracted is False:
            return
        for side in ("home", "partner"):
            MemorandumOfficialFactory(memorandum=memorandum, side=side)


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation

    agreement = factory.SubFactory(AgreementFactory)
    direction = "outgoing"
    start_date = datetime.date(2025, 4, 1)
    end_date = datetime.date(2025, 4, 5)
    head = "Deputy mayor"
    official = True


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    agreement = factory.SubFactory(AgreementFactory)
    sector = "culture"
    title = factory.Sequence(lambda n: f"Joint exhibition {n}")
    start_date = datetime.date(2025, 6, 1)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    agreement = factory.SubFactory(AgreementFactory)
    kind = "letter"
    title = factory.Sequence(lambda n: f"Letter {n}")
    file = factory.django.FileField(filename="letter.pdf", data=b"%PDF-1.4 letter")
    original_name = "letter.pdf"
    content_type = "application/pdf"
    # What an upload records (agreements.uploads): downloads check the file against it.
    sha256 = factory.LazyAttribute(lambda o: sha256_of(o.file))


def sha256_of(file) -> str:
    """The SHA-256 of a django File's content (the factory's file, a ContentFile)."""
    file.seek(0)
    digest = hashlib.sha256(file.read()).hexdigest()
    file.seek(0)
    return digest


class MemorandumOfficialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemorandumOfficial

    memorandum = factory.SubFactory(MemorandumFactory, officials=False)
    side = "home"
    position = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"{o.side.capitalize()} Official")
    title = "Ambassador"


class MemorandumArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemorandumArticle

    memorandum = factory.SubFactory(MemorandumFactory)
    position = factory.Sequence(lambda n: n + 1)
    key = "other"
    heading_en = "Article"
    heading_fa = "ماده"
    body_en = "The parties agree."
    body_fa = "طرفین توافق می‌کنند."


def approved_signing_request(agreement, *, requested_by, decided_by) -> StageRequest:
    """A decided request from the legal stage to signing, with both notes: the
    history and the dossier show its people and words."""
    from django.utils import timezone

    return StageRequest.objects.create(
        agreement=agreement,
        from_stage="legal",
        to_stage="signing",
        requested_by=requested_by,
        note="All three approvals granted.",
        state="approved",
        decided_by=decided_by,
        decision_note="Agreed at the board meeting.",
        decided_at=timezone.now(),
    )


def grant(user, role: str, city: City | None = None) -> Role:
    return Role.objects.create(user=user, role=role, city=city)


def make_personas() -> SimpleNamespace:
    tehran = HomeCityFactory(name="Tehran", name_fa="تهران")
    isfahan = HomeCityFactory(name="Isfahan", name_fa="اصفهان")
    p = SimpleNamespace(tehran=tehran, isfahan=isfahan)
    for username, role, city in [
        ("officer", RoleName.OFFICER, tehran),
        ("approver", RoleName.APPROVER, tehran),
        ("approver2", RoleName.APPROVER, tehran),
        ("viewer", RoleName.VIEWER, tehran),
        ("admin", RoleName.ADMINISTRATOR, None),
        ("isfahan_officer", RoleName.OFFICER, isfahan),
        ("isfahan_approver", RoleName.APPROVER, isfahan),
        ("outsider", None, None),
    ]:
        user = UserFactory(username=username, is_staff=role == RoleName.ADMINISTRATOR)
        if role:
            grant(user, role, city)
        setattr(p, username, user)
    return p


def officials_form_data(memorandum: Memorandum) -> dict:
    """The officials present of the memorandum edit page as it sends them back: one
    formset per side (prefix officials-home, officials-partner), unchanged."""
    data: dict = {}
    for side in ("home", "partner"):
        officials = list(memorandum.officials.filter(side=side).order_by("position", "id"))
        prefix = f"officials-{side}"
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(officials)),
            f"{prefix}-INITIAL_FORMS": str(len(officials)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
        for index, official in enumerate(officials):
            data |= {
                f"{prefix}-{index}-id": official.pk,
                f"{prefix}-{index}-memorandum": memorandum.pk,
                f"{prefix}-{index}-version": official.version,
                **{
                    f"{prefix}-{index}-{name}": getattr(official, name)
                    for name in ("position", "name", "name_fa", "title", "title_fa")
                },
            }
    return data
