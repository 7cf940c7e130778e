"""Import agreements from CSV or XLSX: validate everything first, then write in one go.

Used by `manage.py import_agreements`, the administrators' import page and
seed-like loading. The flow is always the same:

    rows = read_rows(uploaded_file, name)     # readers: CSV (UTF-8) or XLSX
    plan = plan_import(rows, calendar=None)   # every row validated; nothing written
    if plan.errors: ...                       # refuse the whole file, line by line
    result = apply_import(plan, by=user, reason=...)

Columns (DESIGN.md codes): home_city, home_country, home_name_fa, partner_city,
partner_country, partner_name_fa, kind, stage, year, notes. The Persian names,
year and notes may be blank or absent. Optional: first_contact_on and signed_on
(dates, as an export writes them) and calendar (see below). Other columns (an
export's status and expiry) are ignored, so a CSV export can be imported again
(the XLSX export is for people: labels and both calendars, not codes).
`signed_year` and `signed year` are other names of the year column.

Years and dates in either calendar. The year is the signing year ("2023", "1402",
"۱۴۰۲"); a date is year, month and day ("2023-08-01", "1402/05/10", "۱۴۰۲/۰۵/۱۰";
an XLSX date cell is a Gregorian date). Which calendar a value is in, from the most
specific statement to the least:

1. the column's header: "year (jalali)", "signed year (Jalali)",
   "signed_on (gregorian)" (also "(shamsi)", "(solar hijri)", "(شمسی)", "(میلادی)");
2. the row's `calendar` cell: gregorian or jalali (the same words);
3. the calendar chosen for the whole file (`plan_import(calendar=...)`: the import
   form's "calendar of the dates and years in this file", the API's `calendar`,
   the command's --calendar);
4. none stated: the value says it, as the date fields of the pages read it: a year
   below 1700 is Solar Hijri (Jalali), any other Gregorian.

A stated calendar is obeyed: "1402" in a Gregorian column is a year out of range,
with the usual message. A Jalali year spans two Gregorian years (1402: 21 March 2023
to 19 March 2024); the agreement keeps the Gregorian year it starts in (2023), or,
when the signing date is given, that date's year (the year must then be the date's
year in the same calendar). Years run from 1800 to next year (Solar Hijri 1179 to
next Jalali year), dates from 1900-01-01 to 2100-12-31 (cities.validators), and a
first contact or signing date cannot be after today (the agreement's own rule,
models.agreement.PAST_DATES): each such value is a row error naming its column.

Text is checked as the models check it (cities.validators): no control character
in any column, no line break in a name; such a cell is a row error naming its
column (PostgreSQL cannot store a NUL at all, and bulk_create runs no validators).

Cities are matched by English name (case-insensitive) and country, or created;
home cities become home municipalities; a pair that already has a live agreement
is left alone, so importing the same file twice adds and changes nothing.
Agreements and new cities are written with bulk_create *and* their history rows
(simple_history's bulk_create_with_history), with the given change reason.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from simple_history.utils import bulk_create_with_history

from cities import geo
from cities.models import City, search_name_for, unique_slug
from cities.validators import LINE_BREAKS, character_code, control_character

from .dates import format_number, reader_digits
from .import_calendar import (
    CALENDARS,
    Unreadable,
    calendar_named,
    column_of,
    read_date,
    read_year,
)
from .models import Agreement, Kind, Origin, Stage
from .models.agreement import PAST_DATES
from .models.base import future_date_errors
from .workflow import status_for

COLUMNS = [
    "home_city",
    "home_country",
    "home_name_fa",
    "partner_city",
    "partner_country",
    "partner_name_fa",
    "kind",
    "stage",
    "year",
    "notes",
]
# Optional columns: the agreement's dates, and the calendar of the row's years and dates.
DATE_COLUMNS = ["first_contact_on", "signed_on"]
CALENDAR_COLUMN = "calendar"
OPTIONAL_COLUMNS = [*DATE_COLUMNS, CALENDAR_COLUMN]
# Columns whose text may span lines (an agreement's summary); every other is one line.
MULTILINE_COLUMNS = frozenset({"notes"})
REQUIRED_COLUMNS = ["home_city", "home_country", "partner_city", "partner_country", "kind", "stage"]
NAME_MAX_LENGTH = City._meta.get_field("name").max_length
BATCH_SIZE = 500
# Exports neutralise cells that a spreadsheet would run as a formula by putting
# an apostrophe in front; the reader takes it off again (see exporting.py).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Progress = Callable[[str, int, int], None]  # (phase, done, total)


class ImportRefused(Exception):
    """The file cannot be imported; `errors` says where and why. Nothing was written."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


@dataclass(frozen=True)
class RowError:
    line: int  # the line (CSV) or row (XLSX) number a spreadsheet shows; 1 is the header
    message: str

    def __str__(self) -> str:
        return _("Line %(line)s: %(message)s") % {
            "line": reader_digits(self.line),
            "message": self.message,
        }


@dataclass(frozen=True)
class SourceRow:
    line: int
    values: Mapping[str, Any]
    # The calendar a column's header states ({"year": "jalali"}), for every row.
    calendars: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CityKey:
    """How a city is matched: English name, case-insensitive, and country code."""

    name: str  # lower-cased
    country: str

    @classmethod
    def of(cls, name: str, country: str) -> CityKey:
        return cls(name.strip().lower(), country)


@dataclass
class PlannedCity:
    key: CityKey
    name: str
    country: str
    name_fa: str = ""
    is_home: bool = False
    pk: int | None = None  # None: to be created
    make_home: bool = False  # an existing city that becomes a home municipality
    fill_name_fa: bool = False  # an existing city whose missing Persian name is filled in


@dataclass
class PlannedRow:
    line: int
    home: CityKey
    partner: CityKey
    kind: str
    stage: str
    year: int | None
    notes: str
    exists: bool = False  # the pair already has a live agreement: left alone
    first_contact_on: datetime.date | None = None
    signed_on: datetime.date | None = None


@dataclass
class ImportPlan:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    cities: dict[CityKey, PlannedCity] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def new_rows(self) -> list[PlannedRow]:
        return [row for row in self.rows if not row.exists]

    @property
    def existing_rows(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.exists]

    @property
    def new_cities(self) -> list[PlannedCity]:
        return [city for city in self.cities.values() if city.pk is None]

    @property
    def changed_cities(self) -> list[PlannedCity]:
        return [
            city
            for city in self.cities.values()
            if city.pk is not None and (city.make_home or city.fill_name_fa)
        ]

    def summary(self) -> dict[str, int]:
        return {
            "rows": len(self.rows),
            "agreements_created": len(self.new_rows),
            "agreements_unchanged": len(self.existing_rows),
            "cities_created": len(self.new_cities),
            "cities_changed": len(self.changed_cities),
        }

    def describe(self) -> str:
        return describe(self.summary())


def describe(counts: Mapping[str, int]) -> str:
    """One translated sentence saying what an import does (plan) or did (result)."""
    return _(
        "%(rows)s rows: %(agreements_created)s new agreements, "
        "%(agreements_unchanged)s already present and left unchanged; "
        "%(cities_created)s new cities, %(cities_changed)s cities updated."
    ) % {name: format_number(count) for name, count in counts.items()}


# --- Readers ---------------------------------------------------------------------------


def read_rows(file: IO[bytes], name: str) -> list[SourceRow]:
    """Rows of a CSV or XLSX file, chosen by the file name's extension."""
    extension = os.path.splitext(name)[1].lower()
    if extension == ".xlsx":
        return read_xlsx(file)
    if extension in (".csv", ".txt", ""):
        return read_csv(file)
    raise ImportRefused(
        [RowError(1, _("Unsupported file type %(ext)s: use CSV or XLSX.") % {"ext": extension})]
    )


def read_csv(file: IO[bytes] | IO[str]) -> list[SourceRow]:
    """A UTF-8 CSV file (a byte-order mark, as Excel writes, is fine)."""
    raw = file.read()
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise ImportRefused([RowError(line, _("The file is not UTF-8 text."))])
    else:
        text = raw.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        _check_header(header)
        columns, calendars = _read_header(header)
        rows: list[SourceRow] = []
        line = reader.line_num + 1
        for record in reader:
            if any(cell.strip() for cell in record):
                values = dict(zip(columns, record, strict=False))
                rows.append(SourceRow(line, values, calendars))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportRefused([RowError(reader.line_num, _("Unreadable CSV: %s") % exc)])
    return rows


def read_xlsx(file: IO[bytes]) -> list[SourceRow]:
    """The first worksheet of an XLSX workbook; row 1 is the header."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportRefused([RowError(1, _("The file is not an XLSX workbook."))])
    try:
        sheet = workbook.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True)
        header = next(rows_iter, None)
        header = ["" if h is None else str(h) for h in header] if header else None
        _check_header(header)
        columns, calendars = _read_header(header)
        rows: list[SourceRow] = []
        for line, record in enumerate(rows_iter, start=2):
            if any(cell not in (None, "") for cell in record):
                values = dict(zip(columns, record, strict=False))
                rows.append(SourceRow(line, values, calendars))
    finally:
        workbook.close()
    return rows


def _clean_header(value: str) -> str:
    return column_of(value)[0]


def _read_header(header: list[str]) -> tuple[list[str], dict[str, str]]:
    """The column names, and the calendars the headers state."""
    columns, calendars = [], {}
    for cell in header:
        name, calendar = column_of(cell)
        columns.append(name)
        if calendar is not None:
            calendars[name] = calendar
    return columns, calendars


def _check_header(header: list[str] | None) -> None:
    if not header:
        raise ImportRefused([RowError(1, _("The file is empty."))])
    present = {_clean_header(h) for h in header}
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if missing:
        raise ImportRefused(
            [
                RowError(
                    1,
                    _("Missing columns: %(columns)s. Expected: %(expected)s.")
                    % {"columns": ", ".join(missing), "expected": ", ".join(COLUMNS)},
                )
            ]
        )


# --- Planning ----------------------------------------------------------------------------


def _text(values: Mapping[str, Any], column: str) -> str:
    value = values.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] in _FORMULA_STARTS:
        text = text[1:]
    return text


@functools.lru_cache(maxsize=1024)
def _country(raw: str) -> str:
    """The ISO 3166-1 alpha-2 code for a code (IR, IRN) or an English country name."""
    if not raw:
        return ""
    return countries.alpha2(raw) or countries.by_name(raw) or ""


def _row_calendar(row: SourceRow, default: str | None, errors: list[str]) -> str | None:
    """The calendar the row's calendar cell states, else `default`."""
    raw = _text(row.values, CALENDAR_COLUMN)
    if not raw:
        return default
    calendar = calendar_named(raw)
    if calendar is None:
        errors.append(
            _("Unknown calendar %(value)s (use %(codes)s).")
            % {"value": raw, "codes": ", ".join(CALENDARS)}
        )
        return default
    return calendar


def _in_column(column: str, message: str) -> str:
    return _("Column %(column)s: %(message)s") % {"column": column, "message": message}


def _dates(
    row: SourceRow, calendar: str | None, problems: list[str]
) -> tuple[int | None, dict[str, datetime.date | None]]:
    """The row's Gregorian signing year and its dates, each read in its column's
    calendar; a refused value is None, with a message in `problems`."""
    year = None
    raw_year = _text(row.values, "year")
    if raw_year:
        try:
            year = read_year(raw_year, row.calendars.get("year", calendar))
        except Unreadable as refusal:
            problems.append(str(refusal))
    dates: dict[str, datetime.date | None] = dict.fromkeys(DATE_COLUMNS)
    for column in DATE_COLUMNS:
        value = row.values.get(column)
        if value is None or _text(row.values, column) == "":
            continue
        try:
            dates[column] = read_date(value, row.calendars.get(column, calendar))
        except Unreadable as refusal:
            problems.append(_in_column(column, str(refusal)))
    # The agreement's own rule: no first contact or signing after today.
    present = {column: date for column, date in dates.items() if date is not None}
    for column, refusals in future_date_errors(Agreement(**present), PAST_DATES).items():
        problems.extend(_in_column(column, " ".join(r.messages)) for r in refusals)
        dates[column] = None
    signed_on = dates["signed_on"]
    if signed_on is None:
        return (year.gregorian if year else None), dates
    if year is not None and year.of(signed_on) != year.written:
        problems.append(
            _("The year %(year)s is not the year of the signing date (%(date_year)s).")
            % {"year": year.written, "date_year": year.of(signed_on)}
        )
    return signed_on.year, dates


def plan_import(
    rows: Iterable[SourceRow | Mapping[str, Any]],
    *,
    calendar: str | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """Validate every row and work out what the import would write; writes nothing.

    Plain mappings (without line numbers) are numbered from 2, as under a header line.
    `calendar` ("gregorian", "jalali"; None: not stated) is the calendar of the file's
    years and dates unless its headers or rows state another (module docstring).
    """
    if calendar not in (None, "", *CALENDARS):
        raise ValueError(f"unknown calendar {calendar!r}")
    calendar = calendar or None
    source = [
        row if isinstance(row, SourceRow) else SourceRow(index, row)
        for index, row in enumerate(rows, start=2)
    ]
    plan = ImportPlan()
    seen_pairs: dict[tuple[CityKey, CityKey], int] = {}
    total = len(source)
    for done, row in enumerate(source, start=1):
        planned = _plan_row(row, plan, seen_pairs, calendar)
        if planned is not None:
            plan.rows.append(planned)
        if progress and (done % 1000 == 0 or done == total):
            progress("validate", done, total)
    if not plan.errors:
        _resolve(plan)
    return plan


# Sets, not the enums' `values` lists, which are rebuilt on every access.
_KINDS = frozenset(Kind.values)
_STAGES = frozenset(Stage.values)


# Error messages per side, whole sentences so that each translates properly.
_SIDE_MESSAGES = {
    "home": {
        "no_name": gettext_lazy("The home city has no name."),
        "too_long": gettext_lazy("The home city's name is longer than %(max)s characters."),
        "no_country": gettext_lazy("The home city has no country."),
        "unknown_country": gettext_lazy(
            "Unknown country %(value)s for the home city (use ISO codes such as IR, IT)."
        ),
    },
    "partner": {
        "no_name": gettext_lazy("The partner city has no name."),
        "too_long": gettext_lazy("The partner city's name is longer than %(max)s characters."),
        "no_country": gettext_lazy("The partner city has no country."),
        "unknown_country": gettext_lazy(
            "Unknown country %(value)s for the partner city (use ISO codes such as IR, IT)."
        ),
    },
}


_CONTROL_IN_COLUMN = gettext_lazy(
    "Control character %(character)s in column %(column)s: remove it (it is invisible "
    "and cannot be stored)."
)
_LINE_BREAK_IN_COLUMN = gettext_lazy("Line break in column %(column)s: use one line.")


def _character_problems(values: Mapping[str, Any]) -> list[str]:
    """One message per column of ours whose text the models would refuse."""
    problems = []
    for column in (*COLUMNS, *OPTIONAL_COLUMNS):
        multiline = column in MULTILINE_COLUMNS
        character = control_character(_text(values, column), multiline=multiline)
        if character is None:
            continue
        if not multiline and character in LINE_BREAKS:
            problems.append(str(_LINE_BREAK_IN_COLUMN) % {"column": column})
        else:
            problems.append(
                str(_CONTROL_IN_COLUMN) % {"character": character_code(character), "column": column}
            )
    return problems


def _plan_row(
    row: SourceRow,
    plan: ImportPlan,
    seen_pairs: dict[tuple[CityKey, CityKey], int],
    calendar: str | None = None,
) -> PlannedRow | None:
    values = row.values
    problems = _character_problems(values)
    if problems:
        # The other checks would quote the same cells back; these say what to fix.
        plan.errors.extend(RowError(row.line, message) for message in problems)
        return None
    sides = {}
    for side in ("home", "partner"):
        name = _text(values, f"{side}_city")
        raw_country = _text(values, f"{side}_country")
        name_fa = _text(values, f"{side}_name_fa")
        country = _country(raw_country)
        messages = _SIDE_MESSAGES[side]
        if not name:
            problems.append(str(messages["no_name"]))
        elif len(name) > NAME_MAX_LENGTH or len(name_fa) > NAME_MAX_LENGTH:
            problems.append(str(messages["too_long"]) % {"max": reader_digits(NAME_MAX_LENGTH)})
        if not raw_country:
            problems.append(str(messages["no_country"]))
        elif not country:
            problems.append(str(messages["unknown_country"]) % {"value": raw_country})
        sides[side] = (name, country, name_fa)
    kind = _text(values, "kind").lower()
    if kind not in _KINDS:
        problems.append(
            _("Unknown kind %(value)s (use %(codes)s).")
            % {"value": kind or '""', "codes": ", ".join(Kind.values)}
        )
    stage = _text(values, "stage").lower()
    if stage not in _STAGES:
        problems.append(
            _("Unknown stage %(value)s (use %(codes)s).")
            % {"value": stage or '""', "codes": ", ".join(Stage.values)}
        )
    calendar = _row_calendar(row, calendar, problems)
    year, dates = _dates(row, calendar, problems)
    notes = _text(values, "notes")
    home = partner = None
    if not problems:
        home = CityKey.of(sides["home"][0], sides["home"][1])
        partner = CityKey.of(sides["partner"][0], sides["partner"][1])
        if home == partner:
            problems.append(_("A city cannot partner itself."))
        elif (home, partner) in seen_pairs:
            problems.append(
                _("The same pair of cities is already on line %(line)s.")
                % {"line": reader_digits(seen_pairs[(home, partner)])}
            )
    if problems:
        plan.errors.extend(RowError(row.line, message) for message in problems)
        return None
    seen_pairs[(home, partner)] = row.line
    for key, (name, country, name_fa), is_home in (
        (home, sides["home"], True),
        (partner, sides["partner"], False),
    ):
        city = plan.cities.get(key)
        if city is None:
            plan.cities[key] = PlannedCity(key, name, country, name_fa, is_home)
        else:
            city.is_home = city.is_home or is_home
            city.name_fa = city.name_fa or name_fa
    return PlannedRow(row.line, home, partner, kind, stage, year, notes, **dates)


def _resolve(plan: ImportPlan) -> None:
    """Match the planned cities and pairs against the database (two queries)."""
    countries_used = {key.country for key in plan.cities}
    existing: dict[CityKey, dict[str, Any]] = {}
    for city in (
        City.objects.filter(country__in=countries_used)
        .order_by("id")
        .values("id", "name", "name_fa", "country", "is_home")
    ):
        existing.setdefault(CityKey.of(city["name"], city["country"]), city)
    for key, planned in plan.cities.items():
        found = existing.get(key)
        if found is None:
            planned.pk = None
            planned.make_home = planned.fill_name_fa = False
            continue
        planned.pk = found["id"]
        planned.name = found["name"]
        planned.make_home = planned.is_home and not found["is_home"]
        planned.fill_name_fa = bool(planned.name_fa) and not found["name_fa"]
        if found["name_fa"]:
            planned.name_fa = found["name_fa"]
    home_ids = {plan.cities[row.home].pk for row in plan.rows} - {None}
    live_pairs = set(
        Agreement.objects.live()
        .filter(home_city_id__in=home_ids)
        .values_list("home_city_id", "partner_city_id")
    )
    for row in plan.rows:
        pair = (plan.cities[row.home].pk, plan.cities[row.partner].pk)
        row.exists = None not in pair and pair in live_pairs


# --- Writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    rows: int
    agreements_created: int
    agreements_unchanged: int
    cities_created: int
    cities_changed: int

    def summary(self) -> dict[str, int]:
        return dict(self.__dict__)

    def describe(self) -> str:
        return describe(self.summary())


def apply_import(
    plan: ImportPlan, *, by=None, reason: str, progress: Progress | None = None
) -> ImportResult:
    """Write a valid plan in one transaction, every created row with its history.

    The plan is matched against the database again inside the transaction, so rows
    added since it was made (another import, a page) are left alone, not duplicated.
    """
    if plan.errors:
        raise ImportRefused(plan.errors)
    try:
        with transaction.atomic():
            _resolve(plan)
            return _write(plan, by=by, reason=reason, progress=progress)
    except IntegrityError:
        # Someone created the same city or pair between our check and our insert.
        raise ImportRefused(
            [RowError(1, _("The data changed while importing; nothing was written. Try again."))]
        )


def _write(plan: ImportPlan, *, by, reason: str, progress: Progress | None) -> ImportResult:
    now = timezone.now()
    history_user = by if getattr(by, "is_authenticated", False) else None
    new_cities = plan.new_cities
    # bulk_create skips City.save(): the slug and the GeoNames coordinates and
    # population (cities.geo) are given here, as save() gives them.
    slugs = set(City.objects.exclude(slug=None).values_list("slug", flat=True))
    cities = []
    for c in new_cities:
        city = City(
            name=c.name,
            country=c.country,
            name_fa=c.name_fa,
            is_home=c.is_home,
            search_name=search_name_for(c.name, c.name_fa),
            slug=unique_slug(c.name, c.country, taken=slugs),
        )
        slugs.add(city.slug)
        geo.fill_blanks(city)
        cities.append(city)
    created = bulk_create_with_history(
        cities,
        City,
        batch_size=BATCH_SIZE,
        default_user=history_user,
        default_change_reason=reason,
        default_date=now,
    )
    for planned, city in zip(new_cities, created, strict=True):
        planned.pk = city.pk
    changed = plan.changed_cities
    if changed:
        # Few rows (home municipalities, missing Persian names): saved one by one so
        # that each change is recorded with what it changed.
        by_pk = City.objects.in_bulk([c.pk for c in changed])
        for planned in changed:
            city = by_pk[planned.pk]
            if planned.make_home:
                city.is_home = True
            if planned.fill_name_fa:
                city.name_fa = planned.name_fa
            city._change_reason = reason
            city._history_user = history_user
            city.save()
    new_rows = plan.new_rows
    total = len(new_rows)
    for start in range(0, total, BATCH_SIZE * 4):
        batch = new_rows[start : start + BATCH_SIZE * 4]
        agreements = [
            Agreement(
                home_city_id=plan.cities[row.home].pk,
                partner_city_id=plan.cities[row.partner].pk,
                kind=row.kind,
                stage=row.stage,
                status=status_for(row.stage),
                stage_changed_at=now,
                origin=Origin.OTHER,
                signed_year=row.year,
                signed_on=row.signed_on,
                first_contact_on=row.first_contact_on,
                summary=row.notes,
                created_by=history_user,
                created_at=now,
            )
            for row in batch
        ]
        for agreement, row in zip(agreements, batch, strict=True):
            # bulk_create skips save(): the sort keys from the planned cities' names.
            agreement.fill_sort_keys(plan.cities[row.home], plan.cities[row.partner])
        bulk_create_with_history(
            agreements,
            Agreement,
            batch_size=BATCH_SIZE,
            default_user=history_user,
            default_change_reason=reason,
            default_date=now,
        )
        if progress:
            progress("write", start + len(batch), total)
    return ImportResult(
        rows=len(plan.rows),
        agreements_created=total,
        agreements_unchanged=len(plan.existing_rows),
        cities_created=len(new_cities),
        cities_changed=len(changed),
    )
