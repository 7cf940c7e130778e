"""The benchmark's synthetic data set: a national deployment in miniature or at size.

Two shapes with the same proportions: the same personas and roles, the same
share of stages and statuses (every agreement takes its profile from one fixed
100-slot pattern), the same records per agreement, and the same agreement with
a long history (about 2,000 history rows) for the agreement page.

Written for speed, and only for the benchmark: main rows go in with
bulk_create in chunks inside one transaction; history rows are written
directly in SQL (INSERT ... SELECT from the rows just created), which the
product never does (it saves through django-simple-history). Run through
`python -m bench` (which builds into a fresh database and caches the result);
`build(shape)` assumes a migrated, empty `default` database.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from agreements.memoranda import default_articles
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
    MemorandumArticle,
    Role,
    RoleName,
    Stage,
    StageRequest,
    Status,
    UserProfile,
)
from bench.targets import shapes
from cities.models import City, Membership, Network

try:  # the normalised search column City.save() fills (bulk rows need it by hand)
    from cities.models import search_name_for
except ImportError:
    search_name_for = None

CHUNK = 2_000
LONG_HISTORY_TITLE = "Bench: agreement with a long history"
EXPORT_TITLE_PREFIX = "Bench: signed "
EXPORT_COUNT = 100
PASSWORD = "demo"
STAGES = list(Stage.values)


@dataclass(frozen=True)
class Shape:
    name: str
    agreements: int
    cities: int
    homes: int

    @property
    def label(self) -> str:
        return f"{self.name} ({self.agreements:,} agreements)"


def shape(name: str, quick: bool = False) -> Shape:
    """The data set called `name` ("small" or "large"), sizes from bench/targets.py."""
    return Shape(name, *shapes(quick)[name])


# --- The 100-slot pattern ---------------------------------------------------------------

# Share of agreements per stage, in percent (sums to 100).
STAGE_SHARE = {
    "contact": 30,
    "goals": 22,
    "legal": 15,
    "signing": 8,
    "delegations": 5,
    "active": 20,
}


@dataclass(frozen=True)
class Slot:
    stage: str
    status: str
    kind: str
    pending: bool  # a pending request to leave the stage (its gate is met)
    dormant: bool  # active, but no delegation or activity for years


def pattern() -> list[Slot]:
    rng = random.Random(8)
    slots: list[Slot] = []
    for stage, share in STAGE_SHARE.items():
        for i in range(share):
            if stage == "active":
                status = (
                    Status.SUSPENDED if i < 2 else Status.TERMINATED if i < 4 else Status.ACTIVE
                )
                kind = "sister" if i % 3 else "friendship"
                pending = False
                dormant = 4 <= i < 9
            else:
                status = (
                    Status.TERMINATED if (stage == "contact" and i == 0) else Status.IN_PROGRESS
                )
                kind = "friendship" if i % 5 else "sister"
                # 25 of the 100 slots wait for a decision: a full approvals page in both sets.
                pending = status == Status.IN_PROGRESS and i % 3 == 1
                dormant = False
            slots.append(Slot(stage, status, kind, pending, dormant))
    rng.shuffle(slots)
    return slots


# --- Names ------------------------------------------------------------------------------------

HOMES = [
    ("Tehran", "تهران"),
    ("Isfahan", "اصفهان"),
    ("Tabriz", "تبریز"),
    ("Shiraz", "شیراز"),
    ("Mashhad", "مشهد"),
    ("Karaj", "کرج"),
    ("Qom", "قم"),
    ("Ahvaz", "اهواز"),
    ("Kermanshah", "کرمانشاه"),
    ("Urmia", "ارومیه"),
    ("Rasht", "رشت"),
    ("Zahedan", "زاهدان"),
    ("Hamadan", "همدان"),
    ("Kerman", "کرمان"),
    ("Yazd", "یزد"),
    ("Ardabil", "اردبیل"),
    ("Bandar Abbas", "بندرعباس"),
    ("Arak", "اراک"),
    ("Zanjan", "زنجان"),
    ("Sanandaj", "سنندج"),
]
SYLLABLES = [
    ("ka", "کا"), ("lo", "لو"), ("ma", "ما"), ("ri", "ری"), ("ta", "تا"), ("ne", "نه"),
    ("sa", "سا"), ("vo", "وو"), ("da", "دا"), ("mi", "می"), ("ra", "را"), ("no", "نو"),
    ("be", "به"), ("li", "لی"), ("go", "گو"), ("pa", "پا"), ("shi", "شی"), ("to", "تو"),
]  # fmt: skip
COUNTRIES = [
    "IT", "FR", "DE", "ES", "CN", "JP", "KR", "MY", "ID", "TR", "RU", "BR", "AR", "MX", "IN",
    "PK", "EG", "NG", "KE", "ZA", "GB", "IE", "PT", "GR", "PL", "CZ", "HU", "AT", "CH", "BE",
    "NL", "SE", "NO", "FI", "DK", "UA", "KZ", "UZ", "TJ", "AF", "IQ", "SY", "LB", "JO", "OM",
    "QA", "AE", "KW", "BH", "SA", "TH", "VN", "PH", "AU", "NZ", "CA", "US", "CU", "VE", "CL",
]  # fmt: skip
SECTORS = ["culture", "economy", "tourism", "science", "technology", "environment", "health",
           "education", "youth", "arts"]  # fmt: skip
GOAL_TEXT = {
    "culture": ("Hold a joint cultural week every year", "برگزاری هفته فرهنگی مشترک هر سال"),
    "economy": ("Open a trade office for small firms", "گشایش دفتر تجاری برای بنگاه‌های کوچک"),
    "tourism": ("Promote tourist routes between the cities", "معرفی مسیرهای گردشگری میان دو شهر"),
    "science": ("Exchange researchers between universities", "تبادل پژوهشگر میان دانشگاه‌ها"),
    "technology": ("Share smart-city traffic systems", "اشتراک سامانه‌های هوشمند ترافیک"),
    "environment": ("Plant a friendship park in both cities", "ایجاد بوستان دوستی در دو شهر"),
    "health": ("Train emergency medical staff together", "آموزش مشترک کادر فوریت‌های پزشکی"),
    "education": ("Twin ten schools of the two cities", "خواهرخواندگی ده مدرسه از دو شهر"),
    "youth": ("Organise a youth football tournament", "برگزاری مسابقات فوتبال نوجوانان"),
    "arts": ("Hold a joint calligraphy exhibition", "برپایی نمایشگاه مشترک خوشنویسی"),
}


def _name(rng: random.Random, index: int) -> tuple[str, str]:
    parts = [SYLLABLES[rng.randrange(len(SYLLABLES))] for _ in range(rng.choice((2, 3)))]
    en = "".join(p[0] for p in parts).capitalize()
    fa = "".join(p[1] for p in parts)
    # The index makes every name unique (name + country is unique).
    return f"{en} {index}", f"{fa} {index}"


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- Building ---------------------------------------------------------------------------------


class Builder:
    def __init__(self, shape: Shape, *, log=print) -> None:
        self.shape = shape
        self.log = log
        self.rng = random.Random(2024)
        self.now = timezone.now().replace(microsecond=0)
        self.today = timezone.localdate()
        self.counts: dict[str, int] = {}
        self.media = f"bench/{shape.name}"
        self.ids: dict[type, int] = defaultdict(int)
        self.inserted: set[type] = set()

    def ago(self, days: float) -> datetime.datetime:
        return self.now - datetime.timedelta(days=days)

    def bulk(self, model: type[models.Model], objects: list) -> list:
        """Insert model instances with ids of our own, through executemany: Django's
        bulk_create spends most of its time preparing values one by one, which at a
        million rows is the whole build. Values are adapted the way the backend
        stores them (SQLite keeps datetimes as UTC text)."""
        ops = connection.ops
        fields = model._meta.concrete_fields
        converters = []
        for field in fields:
            if isinstance(field, models.DateTimeField):
                converter = ops.adapt_datetimefield_value
            elif isinstance(field, models.DateField):
                converter = ops.adapt_datefield_value
            elif isinstance(field, models.JSONField):
                converter = json.dumps
            elif isinstance(field, models.DecimalField):
                converter = ops.adapt_decimalfield_value
            elif isinstance(field, models.FileField):
                converter = str
            else:
                converter = None
            converters.append(converter)
        now = self.now
        rows = []
        for obj in objects:
            if obj.pk is None:
                self.ids[model] += 1
                obj.pk = self.ids[model]
            row = []
            for field, converter in zip(fields, converters, strict=True):
                value = obj.__dict__.get(field.attname)
                if field.is_relation and value is None and field.is_cached(obj):
                    related = field.get_cached_value(obj)
                    value = related.pk if related is not None else None
                    setattr(obj, field.attname, value)
                elif getattr(field, "auto_now", False) or (
                    getattr(field, "auto_now_add", False) and value is None
                ):
                    value = now
                if hasattr(value, "name") and isinstance(field, models.FileField):
                    value = value.name
                if converter is not None and value is not None:
                    value = converter(value)
                row.append(value)
            rows.append(row)
        qn = ops.quote_name
        # Table and column names come from the models, never from input.
        sql = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608, E501
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(rows), CHUNK):
                cursor.executemany(sql, rows[start : start + CHUNK])
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + len(objects)
        self.inserted.add(model)
        return objects

    def run(self) -> dict[str, int]:
        started = time.monotonic()
        with transaction.atomic():
            self.files()
            self.people_and_places()
            self.agreements()
            self.records()
            self.long_history()
            self.history()
            if connection.vendor == "postgresql":
                # Our own ids went in explicitly: move the sequences past them.
                with connection.cursor() as cursor:
                    for sql in connection.ops.sequence_reset_sql(no_style(), self.inserted):
                        cursor.execute(sql)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        self.counts["build_seconds"] = round(time.monotonic() - started)
        return self.counts

    # --- files -------------------------------------------------------------------------------

    def files(self) -> None:
        """One frozen-looking memorandum PDF and one signed scan, shared by every row
        that needs a file (the export benchmark reads them like separate files)."""
        folder = settings.MEDIA_ROOT / self.media
        folder.mkdir(parents=True, exist_ok=True)
        pdf = folder / "memorandum.pdf"
        pdf.write_bytes(b"%PDF-1.7\n" + self.rng.randbytes(90_000))
        scan = folder / "signed-scan.pdf"
        scan.write_bytes(b"%PDF-1.4\n" + self.rng.randbytes(400_000))
        self.pdf_name = f"{self.media}/memorandum.pdf"
        self.pdf_sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
        self.scan_name = f"{self.media}/signed-scan.pdf"
        self.scan_size = scan.stat().st_size
        self.scan_sha = hashlib.sha256(scan.read_bytes()).hexdigest()

    # --- users, cities, networks -----------------------------------------------------------

    def people_and_places(self) -> None:
        shape, rng = self.shape, self.rng
        User = get_user_model()
        password = make_password(PASSWORD)
        homes = []
        for i in range(shape.homes):
            if i < len(HOMES):
                name, name_fa = HOMES[i]
            else:
                name, name_fa = _name(rng, i)
            homes.append(
                City(
                    name=name,
                    name_fa=name_fa,
                    country="IR",
                    region=name,
                    region_fa=name_fa,
                    is_home=True,
                    population=rng.randrange(200_000, 9_000_000),
                    characteristics=["historic"],
                    created_at=self.ago(4000),
                )
            )
        partners = []
        for i in range(shape.cities - shape.homes):
            name, name_fa = _name(rng, i)
            partners.append(
                City(
                    name=name,
                    # One in ten partner cities still lacks a Persian name.
                    name_fa="" if i % 10 == 9 else name_fa,
                    country=COUNTRIES[i % len(COUNTRIES)],
                    region=f"Region {i % 50}",
                    population=rng.randrange(20_000, 5_000_000),
                    characteristics=[rng.choice(["port", "tourism", "academic", "industrial"])],
                    created_at=self.ago(4000),
                )
            )
        if search_name_for is not None:
            for city in homes + partners:
                city.search_name = search_name_for(city.name, city.name_fa)
        # The public pages (/public/<slug>/) need an address and the map a place:
        # unique slugs as City.save gives them, coordinates spread over the land.
        # (A random stream of their own: the rest of the data set stays as it was.)
        slugs: set[str] = set()
        places = random.Random(23)
        for city in homes + partners:
            if hasattr(city, "slug"):
                base = slugify(city.name) or "city"
                slug, n = base, 1
                while slug in slugs:
                    n += 1
                    slug = f"{base}-{n}"
                slugs.add(slug)
                city.slug = slug
            if city.is_home:
                city.latitude = Decimal(f"{places.uniform(26, 39):.6f}")
                city.longitude = Decimal(f"{places.uniform(45, 61):.6f}")
            else:
                city.latitude = Decimal(f"{places.uniform(-45, 65):.6f}")
                city.longitude = Decimal(f"{places.uniform(-170, 175):.6f}")
        self.bulk(City, homes + partners)
        self.homes, self.partners = homes, partners

        networks = self.bulk(
            Network,
            [Network(code=f"net{i}", name=f"Network {i}", name_fa=f"شبکه {i}") for i in range(8)],
        )
        members = [
            Membership(city=city, network=networks[i % 8], since=1990 + i % 30)
            for i, city in enumerate(homes + partners[: len(partners) // 10])
        ]
        self.bulk(Membership, members)

        # The demo personas, then an officer and an approver for every other home city.
        users = [
            ("admin", "Sara", "Administrator", [(RoleName.ADMINISTRATOR, None)]),
            ("approver", "Reza", "Karimi", [(RoleName.APPROVER, homes[0])]),
            ("officer", "Maryam", "Ahmadi", [(RoleName.OFFICER, homes[0])]),
            ("viewer", "Ali", "Moradi", [(RoleName.VIEWER, homes[0])]),
            ("isfahan_officer", "Neda", "Rahimi", [(RoleName.OFFICER, homes[1])]),
            ("isfahan_approver", "Hossein", "Jafari", [(RoleName.APPROVER, homes[1])]),
        ]
        for i, home in enumerate(homes[2:], start=2):
            users.append((f"officer{i}", "Officer", str(i), [(RoleName.OFFICER, home)]))
            users.append((f"approver{i}", "Approver", str(i), [(RoleName.APPROVER, home)]))
        user_rows = self.bulk(
            User,
            [
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@example.org",
                    password=password,
                    is_staff=username == "admin",
                    is_superuser=username == "admin",
                )
                for username, first, last, _roles in users
            ],
        )
        roles = []
        for user, (_u, _f, _l, grants) in zip(user_rows, users, strict=True):
            for role, city in grants:
                roles.append(Role(user=user, role=role, city=city, created_at=self.ago(4000)))
        self.bulk(Role, roles)
        self.bulk(UserProfile, [UserProfile(user=user, language="fa") for user in user_rows])
        by_name = {user.username: user for user in user_rows}
        self.admin = by_name["admin"]
        # Who works on each home city's agreements: (officer, approver).
        self.staff = {homes[0].pk: (by_name["officer"], by_name["approver"])}
        self.staff[homes[1].pk] = (by_name["isfahan_officer"], by_name["isfahan_approver"])
        for i, home in enumerate(homes[2:], start=2):
            self.staff[home.pk] = (by_name[f"officer{i}"], by_name[f"approver{i}"])

    # --- agreements ------------------------------------------------------------------------

    def agreements(self) -> None:
        shape, rng = self.shape, self.rng
        slots = pattern()
        homes, partners = self.homes, self.partners
        used: set[tuple[int, int]] = set()
        rows = []
        self.plan: list[tuple[Agreement, Slot, list[datetime.datetime]]] = []
        next_partner = {home.pk: rng.randrange(len(partners)) for home in homes}
        exported = 0
        long_history = False
        others = 0
        for i in range(shape.agreements):
            # Each block of 100 agreements takes every slot once; the rotation by
            # block gives Tehran (every tenth agreement) every kind of slot too.
            slot = slots[(i + i // len(slots)) % len(slots)]
            if i == 0:
                # The agreement with the long history: an active Tehran partnership.
                slot = Slot("active", Status.ACTIVE, "sister", pending=False, dormant=False)
            # Tehran holds one agreement in ten; the rest spread over the other homes.
            if i % 10 == 0:
                home = homes[0]
            else:
                home = homes[1 + others % (len(homes) - 1)]
                others += 1
            while True:
                partner = partners[next_partner[home.pk] % len(partners)]
                next_partner[home.pk] += 7919  # a prime: walks every partner city
                if (home.pk, partner.pk) not in used:
                    break
            used.add((home.pk, partner.pk))
            stage_index = STAGES.index(slot.stage)
            # Later stages are older; each move took one to eight months.
            gaps = [rng.uniform(30, 240) for _ in range(stage_index)]
            age = sum(gaps) + rng.uniform(20, 1500)
            created = self.ago(age)
            moves = []
            when = created
            for gap in gaps:
                when = when + datetime.timedelta(days=gap)
                moves.append(when)
            signed = None
            term = rng.choice((2, 3, 5))
            if stage_index >= STAGES.index("delegations"):
                signed = moves[STAGES.index("delegations") - 1].date()
            title = f"{home.name} – {partner.name}"
            if home is homes[0] and slot.stage == "active" and slot.status == Status.ACTIVE:
                if not long_history:
                    title = LONG_HISTORY_TITLE
                    long_history = True
                elif exported < EXPORT_COUNT:
                    title = f"{EXPORT_TITLE_PREFIX}{exported + 1}: {title}"
                    exported += 1
            agreement = Agreement(
                home_city=home,
                partner_city=partner,
                kind=slot.kind,
                stage=slot.stage,
                status=slot.status,
                stage_changed_at=moves[-1] if moves else created,
                origin=rng.choice(["trade", "historical_ties", "municipal_relations", "personal"]),
                title=title,
                summary="Cooperation in culture, tourism and urban management.",
                first_contact_on=created.date(),
                signed_on=signed,
                signed_year=signed.year if signed else None,
                term_years=term if signed else None,
                expires_on=_add_years(signed, term) if signed else None,
                responsible_officer=self.staff[home.pk][0],
                created_by=self.staff[home.pk][0],
                created_at=created,
            )
            agreement.fill_sort_keys()
            rows.append(agreement)
            self.plan.append((agreement, slot, moves))
        self.bulk(Agreement, rows)
        self.long_agreement = next(a for a in rows if a.title == LONG_HISTORY_TITLE)

    # --- records ---------------------------------------------------------------------------------

    def records(self) -> None:
        rng = self.rng
        out: dict[type, list] = {
            model: []
            for model in (
                Contact,
                Goal,
                Commonality,
                DepartmentSupport,
                LegalApproval,
                Memorandum,
                Delegation,
                Activity,
                Document,
                StageRequest,
            )
        }
        memoranda_goals: list[tuple[Memorandum, Agreement, list[Goal]]] = []
        for agreement, slot, moves in self.plan:
            officer, approver = self.staff[agreement.home_city_id]
            reached = STAGES.index(slot.stage)
            # Gates met: every stage left, plus the current one when a request waits.
            met = reached + (1 if slot.pending else 0)
            created = agreement.created_at

            def at(days: float, base=created) -> datetime.datetime:
                return min(base + datetime.timedelta(days=days), self.now)

            out[Contact].append(
                Contact(
                    agreement=agreement,
                    date=at(3).date(),
                    participants=f"Mayor of {agreement.home_city.name}; "
                    f"deputy mayor of {agreement.partner_city.name}",
                    place=agreement.home_city.name,
                    notes="First meeting at the mayors' forum.",
                    created_by=officer,
                    created_at=at(4),
                )
            )
            goals = []
            if met >= 2 or (reached == 1 and rng.random() < 0.5):
                for sector in rng.sample(SECTORS, 1 + (rng.random() < 0.3)):
                    en, fa = GOAL_TEXT[sector]
                    goals.append(
                        Goal(
                            agreement=agreement,
                            sector=sector,
                            description=en,
                            description_fa=fa,
                            indicator="Reported by the joint committee",
                            created_by=officer,
                            created_at=at(40),
                        )
                    )
                out[Goal].extend(goals)
            if met >= 2:
                out[Commonality].append(
                    Commonality(
                        agreement=agreement,
                        kind=rng.choice(["cultural", "historical", "economic"]),
                        description="Both cities are old trading towns on the silk road.",
                        description_fa="هر دو شهر از شهرهای تجاری کهن جاده ابریشم‌اند.",
                        created_by=officer,
                        created_at=at(42),
                    )
                )
                departments = ["council"]
                if rng.random() < 0.3:
                    departments.append(rng.choice(["economic", "university", "ngo"]))
                for department in departments:
                    out[DepartmentSupport].append(
                        DepartmentSupport(
                            agreement=agreement,
                            department=department,
                            supported_on=at(50).date(),
                            joint_committee=department == "council",
                            created_by=officer,
                            created_at=at(50),
                        )
                    )
            if met >= 3 or reached == 2:
                authorities = [
                    Authority.HOME_COUNCIL,
                    Authority.HOME_MINISTRY,
                    Authority.PARTNER_AUTHORITY,
                ]
                if met < 3:
                    authorities = authorities[: rng.randrange(0, 3)]
                for authority in authorities:
                    out[LegalApproval].append(
                        LegalApproval(
                            agreement=agreement,
                            side="partner" if authority == Authority.PARTNER_AUTHORITY else "home",
                            authority=authority,
                            status=ApprovalStatus.GRANTED if met >= 3 else ApprovalStatus.REQUESTED,
                            reference=f"{agreement.home_city_id}/{rng.randrange(1000, 9999)}",
                            requested_on=at(90).date(),
                            decided_on=at(120).date() if met >= 3 else None,
                            created_by=officer,
                            created_at=at(90),
                        )
                    )
            if met >= 4 or (reached == 3 and rng.random() < 0.6):
                frozen = met >= 4
                signed_on = agreement.signed_on or (moves[-1].date() if moves else None)
                memorandum = Memorandum(
                    agreement=agreement,
                    number=1,
                    kind=agreement.kind,
                    signed_on=signed_on if frozen else None,
                    place=agreement.home_city.name,
                    place_fa=agreement.home_city.name_fa,
                    term_years=agreement.term_years or 5,
                    home_signatory_name=f"Mayor of {agreement.home_city.name}",
                    home_signatory_name_fa=f"شهردار {agreement.home_city.name_fa}",
                    home_signatory_title="Mayor",
                    home_signatory_title_fa="شهردار",
                    partner_signatory_name=f"Mayor of {agreement.partner_city.name}",
                    partner_signatory_title="Mayor",
                    frozen_at=at(200) if frozen else None,
                    frozen_by=approver if frozen else None,
                    pdf=self.pdf_name if frozen else "",
                    pdf_sha256=self.pdf_sha if frozen else "",
                    content_sha256=self.pdf_sha if frozen else "",
                    created_by=officer,
                    created_at=at(160),
                )
                out[Memorandum].append(memorandum)
                memoranda_goals.append((memorandum, agreement, goals))
                if frozen:
                    out[Document].append(
                        Document(
                            agreement=agreement,
                            memorandum=memorandum,
                            kind="signed_mou",
                            title="Signed memorandum",
                            file=self.scan_name,
                            original_name="signed.pdf",
                            content_type="application/pdf",
                            size=self.scan_size,
                            sha256=self.scan_sha,
                            created_by=officer,
                            created_at=at(205),
                        )
                    )
            if met >= 5 or reached == 4:
                # Between the move to the delegations stage and today; long ago for
                # dormant partnerships. Completed (ended before today) once the gate is met.
                base = moves[3] if len(moves) >= 4 else at(210)
                span = (self.now - base).total_seconds() / 86400
                start = base + datetime.timedelta(days=span * rng.uniform(0.1, 0.6))
                if slot.dormant:
                    start = base + datetime.timedelta(days=1)
                end = start + datetime.timedelta(days=4)
                if end.date() >= self.today:
                    end = self.ago(2)
                    start = min(start, end)
                out[Delegation].append(
                    Delegation(
                        agreement=agreement,
                        direction=rng.choice(["outgoing", "incoming"]),
                        start_date=start.date(),
                        end_date=end.date() if met >= 5 else None,
                        head=f"Deputy mayor of {agreement.home_city.name}",
                        members="Council members, chamber of commerce",
                        purpose="Official visit",
                        official=True,
                        created_by=officer,
                        created_at=start,
                    )
                )
            if reached == 5:
                for n in range(3):
                    start = self.ago(rng.uniform(20, 600) if not slot.dormant else 1400 + n)
                    sector = rng.choice(SECTORS)
                    out[Activity].append(
                        Activity(
                            agreement=agreement,
                            sector=sector,
                            title=GOAL_TEXT[sector][0],
                            start_date=start.date(),
                            description="Organised by the joint committee.",
                            outcome="Held as planned.",
                            created_by=officer,
                            created_at=start,
                        )
                    )
            # One approved request per stage left; a pending one to leave this stage.
            for step, moved_at in enumerate(moves):
                out[StageRequest].append(
                    StageRequest(
                        agreement=agreement,
                        from_stage=STAGES[step],
                        to_stage=STAGES[step + 1],
                        requested_by=officer,
                        note="Gate met.",
                        state="approved",
                        decided_by=approver,
                        decision_note="Approved.",
                        decided_at=moved_at,
                        created_at=moved_at - datetime.timedelta(days=3),
                    )
                )
            if slot.pending:
                out[StageRequest].append(
                    StageRequest(
                        agreement=agreement,
                        from_stage=slot.stage,
                        to_stage=STAGES[reached + 1],
                        requested_by=officer,
                        note="All done, please approve.",
                        created_at=self.ago(rng.uniform(1, 60)),
                    )
                )
        for model, rows in out.items():
            self.bulk(model, rows)
        articles = []
        for memorandum, agreement, goals in memoranda_goals:
            stub = SimpleNamespace(
                home_city=agreement.home_city,
                partner_city=agreement.partner_city,
                kind=agreement.kind,
                goals=SimpleNamespace(all=lambda goals=goals: goals),
            )
            for fields in default_articles(stub, kind=memorandum.kind, term_years=5):
                articles.append(
                    MemorandumArticle(
                        memorandum=memorandum, created_at=memorandum.created_at, **fields
                    )
                )
        self.bulk(MemorandumArticle, articles)

    # --- the agreement with a long history ----------------------------------------------

    def long_history(self) -> None:
        """One active Tehran agreement with many records, each edited several times:
        about 2,000 history rows, the same in both sets."""
        agreement = self.long_agreement
        officer, _approver = self.staff[agreement.home_city_id]
        base = agreement.created_at
        extra = []
        for n in range(30):
            extra.append(
                Contact(
                    agreement=agreement,
                    date=(base + datetime.timedelta(days=20 * n)).date(),
                    participants=f"Working group meeting {n + 1}",
                    place="Tehran",
                    notes="Minutes filed.",
                    created_by=officer,
                    created_at=base + datetime.timedelta(days=20 * n),
                )
            )
        for n in range(40):
            sector = SECTORS[n % len(SECTORS)]
            extra.append(
                Activity(
                    agreement=agreement,
                    sector=sector,
                    title=f"{GOAL_TEXT[sector][0]} ({n + 1})",
                    start_date=(base + datetime.timedelta(days=15 * n)).date(),
                    description="Organised by the joint committee.",
                    outcome="Held as planned.",
                    created_by=officer,
                    created_at=base + datetime.timedelta(days=15 * n),
                )
            )
        for n in range(20):
            extra.append(
                Delegation(
                    agreement=agreement,
                    direction="outgoing" if n % 2 else "incoming",
                    start_date=(base + datetime.timedelta(days=30 * n)).date(),
                    end_date=(base + datetime.timedelta(days=30 * n + 4)).date(),
                    head="Deputy mayor",
                    members="Council members",
                    purpose="Official visit",
                    official=True,
                    created_by=officer,
                    created_at=base + datetime.timedelta(days=30 * n),
                )
            )
        for model in (Contact, Activity, Delegation):
            self.bulk(model, [row for row in extra if isinstance(row, model)])
        # Every record edited twenty times (history written below, in history()).
        self.long_edits = 20

    # --- history ----------------------------------------------------------------------------

    def history(self) -> None:
        """The history rows every save would have written, in SQL."""
        qn = connection.ops.quote_name
        request_table = qn(StageRequest._meta.db_table)
        with connection.cursor() as cursor:
            for model in (City, Network, Membership, Role, UserProfile):
                self._copy(cursor, model, date_sql=self._created(model), user_sql="NULL")
            for model in (
                Contact,
                Goal,
                Commonality,
                DepartmentSupport,
                LegalApproval,
                Memorandum,
                Delegation,
                Activity,
                Document,
            ):
                self._copy(cursor, model, date_sql="src.created_at", user_sql="src.created_by_id")
            self._copy(cursor, MemorandumArticle, date_sql="src.created_at", user_sql="NULL")
            # Agreements: created at the first stage, then one row per approved move,
            # then suspensions and terminations.
            self._copy(
                cursor,
                Agreement,
                date_sql="src.created_at",
                user_sql="src.created_by_id",
                overrides={
                    "stage": "'contact'",
                    "status": "'in_progress'",
                    "stage_changed_at": "src.created_at",
                    "signed_on": "NULL",
                    "signed_year": "NULL",
                    "term_years": "NULL",
                    "expires_on": "NULL",
                },
                reason="Agreement created",
            )
            self._copy(
                cursor,
                Agreement,
                date_sql="sr.decided_at",
                user_sql="sr.decided_by_id",
                history_type="~",
                overrides={
                    "stage": "sr.to_stage",
                    "status": "CASE WHEN sr.to_stage = 'active' THEN 'active' "
                    "ELSE 'in_progress' END",
                    "stage_changed_at": "sr.decided_at",
                },
                reason_sql="'Stage ' || sr.from_stage || ' → ' || sr.to_stage || ' approved'",
                join=f"JOIN {request_table} sr ON sr.agreement_id = src.id",
                where="sr.state = 'approved'",
            )
            self._copy(
                cursor,
                Agreement,
                date_sql="src.updated_at",
                user_sql="NULL",
                history_type="~",
                reason="Suspended or terminated",
                where="src.status IN ('suspended', 'terminated')",
            )
            self._copy(
                cursor,
                StageRequest,
                date_sql="src.created_at",
                user_sql="src.requested_by_id",
                overrides={
                    "state": "'pending'",
                    "decided_by_id": "NULL",
                    "decided_at": "NULL",
                    "decision_note": "''",
                },
                reason="Requested",
            )
            self._copy(
                cursor,
                StageRequest,
                date_sql="src.decided_at",
                user_sql="src.decided_by_id",
                history_type="~",
                reason="Decided",
                where="src.state <> 'pending'",
            )
            # The long history: every record of that agreement edited several times.
            for n in range(1, self.long_edits + 1):
                for model, text_field in (
                    (Contact, "notes"),
                    (Activity, "outcome"),
                    (Delegation, "outcomes"),
                ):
                    self._copy(
                        cursor,
                        model,
                        date_sql=self._plus_days("src.created_at", n),
                        user_sql="src.created_by_id",
                        history_type="~",
                        overrides={
                            text_field: f"'Edit {n}: details added after the meeting.'",
                            "version": str(n + 1),
                        },
                        reason="Details added",
                        where=f"src.agreement_id = {int(self.long_agreement.pk)}",
                    )

    def _created(self, model: type[models.Model]) -> str:
        names = {f.name for f in model._meta.concrete_fields}
        if "created_at" in names:
            return "src.created_at"
        return "%s"

    def _plus_days(self, column: str, days: int) -> str:
        if connection.vendor == "postgresql":
            return f"{column} + interval '{int(days)} days'"
        return f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', {column}, '+{int(days)} days')"

    def _copy(
        self,
        cursor,
        model: type[models.Model],
        *,
        date_sql: str,
        user_sql: str,
        history_type: str = "+",
        overrides: dict[str, str] | None = None,
        reason: str = "Created",
        reason_sql: str | None = None,
        join: str = "",
        where: str = "",
    ) -> None:
        qn = connection.ops.quote_name
        historical = model.history.model
        overrides = overrides or {}
        columns, expressions, params = [], [], []
        for field in historical._meta.concrete_fields:
            if field.attname == "history_id":
                continue
            columns.append(qn(field.column))
            if field.attname in overrides:
                expressions.append(overrides[field.attname])
            elif field.attname == "history_date":
                expressions.append(date_sql)
                if date_sql == "%s":
                    params.append(self.now)
            elif field.attname == "history_type":
                expressions.append(f"'{history_type}'")
            elif field.attname == "history_user_id":
                expressions.append(user_sql)
            elif field.attname == "history_change_reason":
                if reason_sql:
                    expressions.append(reason_sql)
                else:
                    expressions.append("%s")
                    params.append(reason)
            else:
                source = model._meta.get_field(field.name)
                expressions.append(f"src.{qn(source.column)}")
        sql = (
            f"INSERT INTO {qn(historical._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {', '.join(expressions)} FROM {qn(model._meta.db_table)} src {join}"
        )
        if where:
            sql += f" WHERE {where}"
        cursor.execute(sql, params)
        label = f"history: {model._meta.label}"
        self.counts[label] = self.counts.get(label, 0) + cursor.rowcount
