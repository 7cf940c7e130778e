"""Load the demo data from the seed paper: idempotent.

A second run finds everything in place and writes nothing (no new rows, no new
history rows, passwords left alone when they already match).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from agreements import reasons
from agreements.memoranda import add_default_articles
from agreements.models import (
    Activity,
    Agreement,
    ApprovalStatus,
    Authority,
    Commonality,
    Contact,
    Delegation,
    DepartmentSupport,
    Document,
    Goal,
    LegalApproval,
    Memorandum,
    MemorandumOfficial,
    Role,
    RoleName,
    Side,
    Stage,
    StageRequest,
    Status,
)
from agreements.pdf import freeze_pdf
from cities import geo
from cities.models import City, Membership, Network

from .. import demo_protocol

FIXTURES = Path(__file__).resolve().parents[3] / "cities" / "fixtures"
REASON = reasons.reason("demo_data", via="command")
IMPORT_REASON = reasons.reason("demo_import", via="command")

DEMO_USERS = [
    # username, first name, last name, roles [(role, city or None)]
    ("admin", "Sara", "Administrator", [(RoleName.ADMINISTRATOR, None)]),
    ("approver", "Reza", "Karimi", [(RoleName.APPROVER, "Tehran")]),
    ("officer", "Maryam", "Ahmadi", [(RoleName.OFFICER, "Tehran")]),
    ("viewer", "Ali", "Moradi", [(RoleName.VIEWER, "Tehran")]),
    ("isfahan_officer", "Neda", "Rahimi", [(RoleName.OFFICER, "Isfahan")]),
    ("isfahan_approver", "Hossein", "Jafari", [(RoleName.APPROVER, "Isfahan")]),
]


def _save(obj, reason: str = REASON):
    obj._change_reason = reason
    obj.save()
    return obj


def _active_status(stage: str) -> str:
    return Status.ACTIVE if stage == Stage.ACTIVE else Status.IN_PROGRESS


@dataclass
class Counter:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


class Command(BaseCommand):
    help = "Load the demo data of the seed paper (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password", default="demo", help="Password of the demo users (default: demo)."
        )

    @transaction.atomic
    def handle(self, *args, password: str, **options) -> None:
        self.count = Counter()
        self.today = timezone.localdate()
        self._networks()
        self._home_cities()
        self._paper_agreements()
        self._users(password)
        self._tehran_examples()
        self._delegation_protocol()
        summary = (
            ", ".join(f"{n} {what}" for what, n in sorted(self.count.created.items()))
            or "nothing new"
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data in place ({summary})."))

    # --- cities -----------------------------------------------------------------

    def _networks(self) -> None:
        with open(FIXTURES / "networks.csv", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                _network, created = self._get_or_create(
                    Network,
                    {"code": row["code"]},
                    name=row["name"],
                    name_fa=row["name_fa"],
                    kind=row["kind"],
                )
                if created:
                    self.count.add("networks")

    def _home_cities(self) -> None:
        with open(FIXTURES / "home_cities.csv", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                city = self._city(row["name"], row["country"], row["name_fa"])
                wanted = {
                    "is_home": True,
                    "region": row["province"],
                    "region_fa": row["province_fa"],
                    "titles": row["titles"],
                    "titles_fa": row["titles_fa"],
                }
                changed = [k for k, v in wanted.items() if getattr(city, k) != v]
                if changed:
                    for k in changed:
                        setattr(city, k, wanted[k])
                    _save(city)
                for code in filter(None, (c.strip() for c in row["networks"].split(";"))):
                    network = Network.objects.get(code=code)
                    _m, created = self._get_or_create(
                        Membership, {"city": city, "network": network}
                    )
                    if created:
                        self.count.add("memberships")

    def _city(self, name: str, country: str, name_fa: str = "") -> City:
        city = City.objects.filter(name__iexact=name, country=country).first()
        if city is None:
            city = _save(City(name=name, country=country, name_fa=name_fa))
            self.count.add("cities")
        else:
            # A city made before coordinates were kept: from GeoNames (cities.geo),
            # as a new city gets them.
            changed = geo.fill_blanks(city)
            if name_fa and not city.name_fa:
                city.name_fa = name_fa
                changed = True
            if changed:
                _save(city)
        return city

    def _get_or_create(self, model, lookup: dict, **defaults):
        obj = model.objects.filter(**lookup).first()
        if obj is not None:
            return obj, False
        return _save(model(**lookup, **defaults)), True

    # --- agreements from the paper ---------------------------------------------------

    def _paper_agreements(self) -> None:
        with open(FIXTURES / "sister_cities.csv", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                home = self._city(row["home_city"], row["home_country"], row["home_name_fa"])
                partner = self._city(
                    row["partner_city"], row["partner_country"], row["partner_name_fa"]
                )
                if Agreement.objects.live().filter(home_city=home, partner_city=partner).exists():
                    continue
                stage = row["stage"]
                agreement = Agreement(
                    home_city=home,
                    partner_city=partner,
                    kind=row["kind"],
                    stage=stage,
                    status=_active_status(stage),
                    signed_year=int(row["year"]) if row["year"] else None,
                    summary=row["notes"],
                    origin="municipal_relations",
                )
                _save(agreement, IMPORT_REASON)
                self.count.add("agreements")

    # --- users --------------------------------------------------------------------------

    def _users(self, password: str) -> None:
        User = get_user_model()
        for username, first, last, roles in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            is_admin = any(role == RoleName.ADMINISTRATOR for role, _city in roles)
            if user is None:
                user = User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@example.org",
                )
                user.is_staff = is_admin
                user.is_superuser = is_admin
                user.set_password(password)
                user.save()
                self.count.add("users")
            elif not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
            for role, city_name in roles:
                city = City.objects.get(name=city_name, is_home=True) if city_name else None
                if not Role.objects.filter(user=user, city=city, role=role).exists():
                    _save(Role(user=user, city=city, role=role))
                    self.count.add("roles")

    # --- realistic Tehran examples ---------------------------------------------------------

    def _tehran_examples(self) -> None:
        tehran = City.objects.get(name="Tehran", is_home=True)
        User = get_user_model()
        officer = User.objects.get(username="officer")
        for example in TEHRAN_EXAMPLES:
            partner = self._city(example.name, example.country, example.name_fa)
            if Agreement.objects.live().filter(home_city=tehran, partner_city=partner).exists():
                continue
            agreement = _save(
                Agreement(
                    home_city=tehran,
                    partner_city=partner,
                    kind=example.kind,
                    stage=example.stage,
                    status=_active_status(example.stage),
                    origin=example.origin,
                    title=example.title,
                    summary=example.summary,
                    first_contact_on=self.today - timedelta(days=example.age_days),
                    stage_changed_at=timezone.now() - timedelta(days=example.in_stage_days),
                    responsible_officer=officer,
                    created_by=officer,
                )
            )
            self.count.add("agreements")
            self._records(agreement, example, officer)
            if example.pending_request:
                _save(
                    StageRequest(
                        agreement=agreement,
                        from_stage=agreement.stage,
                        to_stage=Stage.values[Stage.values.index(agreement.stage) + 1],
                        requested_by=officer,
                        note=example.pending_request,
                    )
                )
        # Tehran's agreements from the paper are active: give them their records too.
        for agreement in Agreement.objects.filter(
            home_city=tehran, stage=Stage.ACTIVE, goals__isnull=True
        ):
            example = PAPER_TEHRAN.get(agreement.partner_city.name)
            if example is not None:
                self._records(agreement, example, officer)

    def _records(self, agreement: Agreement, example: Example, officer) -> None:
        stage_index = Stage.values.index(agreement.stage)
        if example.signed_on is not None:
            # The paper's signing date: the records before it lead up to it.
            start = example.signed_on - timedelta(days=240)
        else:
            start = agreement.first_contact_on or date(self.today.year - 3, 3, 21)
        by = {"created_by": officer}
        _save(
            Contact(
                agreement=agreement,
                date=start,
                participants=example.contact_participants,
                place=example.contact_place,
                notes=example.contact_notes,
                **by,
            )
        )
        if stage_index >= 1:
            for sector, text, text_fa in example.goals:
                _save(
                    Goal(
                        agreement=agreement,
                        sector=sector,
                        description=text,
                        description_fa=text_fa,
                        **by,
                    )
                )
            for kind, text, text_fa in example.commonalities:
                _save(
                    Commonality(
                        agreement=agreement,
                        kind=kind,
                        description=text,
                        description_fa=text_fa,
                        **by,
                    )
                )
            if example.council_support or stage_index >= 2:
                _save(
                    DepartmentSupport(
                        agreement=agreement,
                        department="council",
                        supported_on=start + timedelta(days=60),
                        joint_committee=stage_index >= 3,
                        notes="Council resolution in favour of the partnership.",
                        **by,
                    )
                )
                _save(DepartmentSupport(agreement=agreement, department="economic", **by))
        if stage_index >= 2:
            authorities = [
                Authority.HOME_COUNCIL,
                Authority.HOME_MINISTRY,
                Authority.PARTNER_AUTHORITY,
            ]
            for number, authority in enumerate(authorities, start=1):
                granted = stage_index >= 3 or authority != Authority.PARTNER_AUTHORITY
                _save(
                    LegalApproval(
                        agreement=agreement,
                        side=Side.PARTNER
                        if authority == Authority.PARTNER_AUTHORITY
                        else Side.HOME,
                        authority=authority,
                        status=ApprovalStatus.GRANTED if granted else ApprovalStatus.REQUESTED,
                        reference=f"{agreement.pk}/{number}/{start.year}",
                        requested_on=start + timedelta(days=90),
                        decided_on=start + timedelta(days=150) if granted else None,
                        **by,
                    )
                )
        if stage_index >= 3:
            signed = stage_index >= 4
            memorandum = _save(
                Memorandum(
                    agreement=agreement,
                    kind=agreement.kind,
                    signed_on=start + timedelta(days=240) if signed else None,
                    place=example.signing_place,
                    place_fa=example.signing_place_fa,
                    home_signatory_name=example.home_mayor,
                    home_signatory_name_fa=example.home_mayor_fa,
                    home_signatory_title="Mayor of Tehran",
                    home_signatory_title_fa="شهردار تهران",
                    partner_signatory_name=example.partner_mayor,
                    partner_signatory_name_fa=example.partner_mayor_fa,
                    partner_signatory_title=f"Mayor of {agreement.partner_city.name}",
                    partner_signatory_title_fa=f"شهردار {agreement.partner_city.name_fa}",
                    **example.in_partner_language,
                    **by,
                )
            )
            add_default_articles(memorandum, reason=REASON)
            self._officials(memorandum, example)
            if signed:
                self._freeze_with_signed_copy(memorandum, officer)
                if agreement.signed_on is None and agreement.signed_year in (
                    None,
                    memorandum.signed_on.year,
                ):
                    agreement.signed_on = memorandum.signed_on
                    _save(agreement)
        if stage_index >= 4:
            _save(
                Delegation(
                    agreement=agreement,
                    direction="outgoing",
                    start_date=start + timedelta(days=300),
                    end_date=start + timedelta(days=304),
                    head="Deputy Mayor for International Affairs",
                    members="Councillors, cultural attachés, chamber of commerce",
                    purpose="Official visit after the signing of the memorandum",
                    outcomes="Programme of cultural weeks agreed",
                    official=True,
                    **by,
                )
            )
        if stage_index >= 5:
            _save(
                Activity(
                    agreement=agreement,
                    sector=example.goals[0][0] if example.goals else "culture",
                    title=example.activity,
                    start_date=self.today - timedelta(days=example.last_activity_days_ago),
                    description="Joint programme under the memorandum.",
                    **by,
                )
            )

    def _delegation_protocol(self) -> None:
        officer = get_user_model().objects.filter(username="officer").first()
        delegations = Delegation.objects.filter(agreement__home_city__name="Tehran").order_by(
            "start_date", "id"
        )[:2]
        demo_protocol.add(delegations, officer, save=_save, count=self.count.add)

    def _officials(self, memorandum: Memorandum, example: Example) -> None:
        """The officials present at the exchange, one on each side (the workflow
        freezes a memorandum only with both sides' officials recorded)."""
        partner = memorandum.agreement.partner_city
        for side, (name, name_fa, title, title_fa) in (
            (Side.HOME, example.home_official),
            (
                Side.PARTNER,
                example.partner_official
                or (
                    example.partner_deputy or "Deputy Mayor",
                    example.partner_deputy_fa or "معاون شهردار",
                    f"Deputy Mayor of {partner.name}",
                    f"معاون شهردار {partner.name_fa}",
                ),
            ),
        ):
            _save(
                MemorandumOfficial(
                    memorandum=memorandum,
                    side=side,
                    name=name,
                    name_fa=name_fa,
                    title=title,
                    title_fa=title_fa,
                )
            )

    def _freeze_with_signed_copy(self, memorandum: Memorandum, officer) -> None:
        """Past the signing stage the memorandum is frozen and its signed scan
        uploaded, as the workflow would have required (demo data path)."""
        memorandum.frozen_at = timezone.now()
        memorandum.frozen_by = officer
        freeze_pdf(memorandum)
        _save(memorandum, reasons.reason("demo_frozen", via="command"))
        with memorandum.pdf.open("rb") as frozen:
            # Stands in for the scan of the paper copy both mayors signed.
            scan = ContentFile(frozen.read(), name="signed-memorandum-scan.pdf")
        document = Document(
            agreement=memorandum.agreement,
            memorandum=memorandum,
            kind="signed_mou",
            title="Signed memorandum (scan)",
            original_name=scan.name,
            content_type="application/pdf",
            size=scan.size,
            sha256=hashlib.sha256(scan.read()).hexdigest(),
            created_by=officer,
        )
        scan.seek(0)
        document.file.save(scan.name, scan, save=False)
        _save(document)
        self.count.add("frozen memoranda")


@dataclass
class Example:
    name: str
    country: str
    name_fa: str
    stage: str
    kind: str = "friendship"
    origin: str = "municipal_relations"
    title: str = ""
    summary: str = ""
    age_days: int = 400
    in_stage_days: int = 30
    contact_participants: str = "Mayor of Tehran; visiting mayor and delegation"
    contact_place: str = "Tehran City Hall"
    contact_notes: str = ""
    goals: list[tuple[str, str, str]] = field(default_factory=list)
    commonalities: list[tuple[str, str, str]] = field(default_factory=list)
    council_support: bool = True
    signing_place: str = "Tehran"
    signing_place_fa: str = "تهران"
    partner_mayor: str = ""
    home_mayor: str = "Alireza Zakani"  # Tehran's mayor at the signing
    home_mayor_fa: str = "علیرضا زاکانی"
    partner_mayor_fa: str = ""
    activity: str = "Cultural week"
    last_activity_days_ago: int = 120
    pending_request: str = ""
    # The memorandum's signing date when the paper gives it (else the records'
    # dates follow from the first contact).
    signed_on: date | None = None
    home_official: tuple[str, str, str, str] = (
        "Mohammad Ali Shahidi",
        "محمدعلی شهیدی",
        "Director-General for International Affairs, Tehran Municipality",
        "مدیرکل امور بین‌الملل شهرداری تهران",
    )
    partner_official: tuple[str, str, str, str] | None = None
    partner_deputy: str = ""
    partner_deputy_fa: str = ""
    # The memorandum's partner language and its texts in it (Memorandum fields:
    # partner_language, home_name_partner, ...), when it is signed in three.
    in_partner_language: dict[str, str] = field(default_factory=dict)


_GOALS_CULTURE = [
    (
        "culture",
        "Hold a cultural week in each city every year.",
        "برگزاری هفته فرهنگی در هر دو شهر هر سال.",
    ),
    (
        "tourism",
        "Raise visitor numbers between the two cities by 10% in three years.",
        "افزایش ده درصدی شمار گردشگران میان دو شهر در سه سال.",
    ),
]
_GOALS_URBAN = [
    (
        "technology",
        "Exchange experience in smart traffic management and metro operation.",
        "تبادل تجربه در مدیریت هوشمند ترافیک و بهره‌برداری مترو.",
    ),
    ("environment", "Joint programme on air quality monitoring.", "برنامه مشترک پایش کیفیت هوا."),
]
_COMMON = [
    (
        "cultural",
        "Shared Persianate literary heritage and Nowruz.",
        "میراث ادبی مشترک فارسی و نوروز.",
    ),
    ("historical", "Historical Silk Road connection.", "پیوند تاریخی جاده ابریشم."),
]

TEHRAN_EXAMPLES = [
    Example(
        "Almaty",
        "KZ",
        "آلماتی",
        Stage.CONTACT,
        title="Tehran–Almaty friendship",
        age_days=60,
        contact_notes="First meeting at the Asian Mayors Forum.",
        pending_request="First contact made at the Asian Mayors Forum; ready to define goals.",
    ),
    Example(
        "Kuala Terengganu", "MY", "کوالا ترنگانو", Stage.CONTACT, age_days=30, in_stage_days=200
    ),
    Example(
        "Tbilisi",
        "GE",
        "تفلیس",
        Stage.GOALS,
        origin="historical_ties",
        goals=_GOALS_CULTURE,
        commonalities=_COMMON[:1],
        council_support=False,
    ),
    Example(
        "Kazan",
        "RU",
        "کازان",
        Stage.LEGAL,
        origin="trade",
        goals=_GOALS_URBAN,
        commonalities=_COMMON[1:],
    ),
    Example(
        "Dushanbe",
        "TJ",
        "دوشنبه",
        Stage.SIGNING,
        kind="sister",
        origin="historical_ties",
        goals=_GOALS_CULTURE,
        commonalities=_COMMON,
        partner_mayor="Rustam Emomali",
        partner_mayor_fa="رستم امامعلی",
    ),
    Example(
        "Beijing",
        "CN",
        "پکن",
        Stage.DELEGATIONS,
        kind="sister",
        origin="trade",
        goals=_GOALS_URBAN,
        commonalities=_COMMON[1:],
        signing_place="Beijing",
        signing_place_fa="پکن",
        partner_mayor="Yin Yong",
        in_partner_language={
            "partner_language": "zh-hans",
            "home_name_partner": "德黑兰",
            "partner_name_partner": "北京",
            "place_partner": "北京",
            "home_signatory_title_partner": "德黑兰市市长",
            "partner_signatory_name_partner": "殷勇",
            "partner_signatory_title_partner": "北京市市长",
        },
        partner_mayor_fa="یین یونگ",
    ),
    Example(
        "Havana",
        "CU",
        "هاوانا",
        Stage.ACTIVE,
        goals=_GOALS_CULTURE,
        commonalities=_COMMON[:1],
        age_days=1600,
        last_activity_days_ago=900,
        activity="Photo exhibition of Tehran",
        partner_mayor="Reinaldo García Zapata",
        in_partner_language={
            "partner_language": "es",
            "home_name_partner": "Teherán",
            "partner_name_partner": "La Habana",
            "home_signatory_title_partner": "Alcalde de Teherán",
            "partner_signatory_title_partner": "Alcalde de La Habana",
        },
        partner_mayor_fa="رینالدو گارسیا زاپاتا",
    ),
]

PAPER_TEHRAN = {
    "Bishkek": Example(
        "Bishkek",
        "KG",
        "بیشکک",
        Stage.ACTIVE,
        goals=_GOALS_CULTURE,
        commonalities=_COMMON,
        partner_mayor="Aibek Dzhunushaliev",
        in_partner_language={
            "partner_language": "ru",
            "home_name_partner": "Тегеран",
            "partner_name_partner": "Бишкек",
            "place_partner": "Бишкек",
            "home_signatory_title_partner": "Мэр Тегерана",
            "partner_signatory_name_partner": "Айбек Джунушалиев",
            "partner_signatory_title_partner": "Мэр города Бишкек",
        },
        partner_mayor_fa="آیبک جونوشالیف",
        home_mayor="Gholamhossein Karbaschi",  # Tehran's mayor in 1994
        home_mayor_fa="غلامحسین کرباسچی",
        # 1373 SH, as the paper (and the agreement's year, 1994) says.
        signed_on=date(1994, 10, 12),
        signing_place="Bishkek",
        signing_place_fa="بیشکک",
    ),
    "Budapest": Example(
        "Budapest",
        "HU",
        "بوداپست",
        Stage.ACTIVE,
        origin="trade",
        goals=[
            (
                "economy",
                "Develop economic ties and joint investment.",
                "توسعه روابط اقتصادی و سرمایه‌گذاری مشترک.",
            )
        ]
        + _GOALS_URBAN,
        commonalities=_COMMON[1:],
        partner_mayor="István Tarlós",  # mayors of both cities in 2015
        in_partner_language={
            "partner_language": "hu",
            "home_name_partner": "Teherán",
            "partner_name_partner": "Budapest",
            "place_partner": "Budapest",
            "home_signatory_title_partner": "Teherán polgármestere",
            "partner_signatory_title_partner": "Budapest főpolgármestere",
        },
        partner_mayor_fa="ایشتوان تارلوش",
        home_mayor="Mohammad Bagher Ghalibaf",
        home_mayor_fa="محمدباقر قالیباف",
        # Ordibehesht 1394 (15 Ordibehesht), as the paper says.
        signed_on=date(2015, 5, 5),
        signing_place="Budapest",
        signing_place_fa="بوداپست",
    ),
    "Nishapur": Example(
        "Nishapur",
        "IR",
        "نیشابور",
        Stage.ACTIVE,
        goals=_GOALS_CULTURE,
        commonalities=_COMMON[:1],
        partner_mayor="Hamid Rezaei",
        partner_mayor_fa="حمید رضایی",
    ),
    "Tabriz": Example(
        "Tabriz",
        "IR",
        "تبریز",
        Stage.ACTIVE,
        goals=_GOALS_URBAN,
        commonalities=_COMMON[:1],
        partner_mayor="Yaghoub Houshyar",
        partner_mayor_fa="یعقوب هوشیار",
    ),
    "Yazd": Example(
        "Yazd",
        "IR",
        "یزد",
        Stage.ACTIVE,
        goals=_GOALS_CULTURE,
        commonalities=_COMMON,
        partner_mayor="Mehdi Jamalinejad",
        partner_mayor_fa="مهدی جمالی‌نژاد",
    ),
}
