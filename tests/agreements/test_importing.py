"""Importing agreements from CSV/XLSX (agreements/importing.py and the command)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from agreements import reasons
from agreements.importing import (
    COLUMNS,
    ImportRefused,
    apply_import,
    plan_import,
    read_csv,
    read_rows,
    read_xlsx,
)
from agreements.models import Agreement, Stage, Status
from cities.models import City
from tests.factories import AgreementFactory, CityFactory

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[2] / "cities" / "fixtures" / "sister_cities.csv"
REASON = "Imported from test.csv (import_agreements)"


def row(**values) -> dict[str, str]:
    base = {
        "home_city": "Tehran",
        "home_country": "IR",
        "home_name_fa": "تهران",
        "partner_city": "Florence",
        "partner_country": "IT",
        "partner_name_fa": "فلورانس",
        "kind": "sister",
        "stage": "active",
        "year": "1998",
        "notes": "",
    }
    base.update(values)
    return base


def csv_bytes(rows: list[dict[str, str]], columns: list[str] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def write_csv(tmp_path, rows, name: str = "test.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows))
    return path


def counts() -> tuple[int, int, int, int]:
    return (
        Agreement.objects.count(),
        Agreement.history.count(),
        City.objects.count(),
        City.history.count(),
    )


# --- The seed file ---------------------------------------------------------------------------


def test_seed_file_imports(capsys):
    call_command("import_agreements", str(SEED))
    with open(SEED, encoding="utf-8") as f:
        lines = list(csv.DictReader(f))
    assert Agreement.objects.count() == len(lines) == 66
    homes = {line["home_city"] for line in lines}
    assert set(City.objects.filter(is_home=True).values_list("name", flat=True)) == homes
    isfahan_kyoto = Agreement.objects.get(home_city__name="Isfahan", partner_city__name="Kyoto")
    assert (isfahan_kyoto.kind, isfahan_kyoto.stage, isfahan_kyoto.status) == (
        "sister",
        Stage.ACTIVE,
        Status.ACTIVE,
    )
    hyderabad = Agreement.objects.get(partner_city__name="Hyderabad")
    assert (hyderabad.stage, hyderabad.status) == (Stage.CONTACT, Status.IN_PROGRESS)
    xian = Agreement.objects.get(partner_city__name="Xi'an")
    assert xian.signed_year == 1989 and xian.partner_city.name_fa == "شیان"
    assert xian.partner_city.country.code == "CN"
    # A city that is both a home municipality and someone's partner exists once.
    assert City.objects.filter(name="Tabriz").count() == 1
    assert "66" in capsys.readouterr().out
    # Written in bulk (no save()), yet sortable by city like any other agreement.
    for agreement in Agreement.objects.select_related("home_city", "partner_city"):
        for side in ("home", "partner"):
            city = getattr(agreement, f"{side}_city")
            assert getattr(agreement, f"{side}_sort_key") == city.name
            assert getattr(agreement, f"{side}_sort_key_fa") == (city.name_fa or city.name)


def test_every_imported_row_has_history_with_the_reason():
    call_command("import_agreements", str(SEED))
    reason = reasons.reason("imported", file="sister_cities.csv", via="command")
    agreements = Agreement.objects.all()
    history = Agreement.history.filter(history_type="+")
    assert history.count() == agreements.count()
    assert set(history.values_list("id", flat=True)) == set(agreements.values_list("id", flat=True))
    assert set(history.values_list("history_change_reason", flat=True)) == {reason}
    assert set(history.values_list("stage", flat=True)) == set(
        agreements.values_list("stage", flat=True)
    )
    # New cities too.
    assert City.history.filter(history_type="+").count() == City.objects.count()


def test_reimport_adds_and_changes_nothing(capsys):
    call_command("import_agreements", str(SEED))
    before = counts()
    versions = list(Agreement.objects.order_by("pk").values_list("pk", "version", "updated_at"))
    call_command("import_agreements", str(SEED))
    assert counts() == before
    assert (
        list(Agreement.objects.order_by("pk").values_list("pk", "version", "updated_at"))
        == versions
    )
    assert "0 new agreements" in capsys.readouterr().out


def test_history_user_is_recorded(personas):
    call_command("import_agreements", str(SEED), user="admin")
    assert set(Agreement.history.values_list("history_user", flat=True)) == {personas.admin.pk}


def test_unknown_user_is_refused():
    before = counts()
    with pytest.raises(CommandError):
        call_command("import_agreements", str(SEED), user="nobody")
    assert counts() == before


# --- Dry run ------------------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_reports(capsys):
    before = counts()
    call_command("import_agreements", str(SEED), dry_run=True)
    assert counts() == before
    out = capsys.readouterr().out
    assert "66 new agreements" in out


def test_plan_reports_what_would_happen(personas):
    AgreementFactory(home_city=personas.tehran, partner_city=CityFactory(name="Florence"))
    plan = plan_import([row(), row(partner_city="Kyoto", partner_country="JP")])
    assert plan.is_valid
    assert plan.summary() == {
        "rows": 2,
        "agreements_created": 1,
        "agreements_unchanged": 1,
        "cities_created": 1,
        "cities_changed": 0,
    }
    assert Agreement.objects.count() == 1


# --- Bad rows ---------------------------------------------------------------------------------


BAD_ROWS = [
    (row(partner_country="Narnia"), "Narnia"),
    (row(partner_city="Tehran", partner_country="IR"), "partner itself"),
    (row(year="nineteen"), "nineteen"),
    (row(kind="cousin"), "cousin"),
    (row(stage="finished"), "finished"),
    (row(partner_city=""), "name"),
    (row(home_country=""), "country"),
    (row(year="1066"), "1066"),
]


@pytest.mark.parametrize(("bad", "words"), BAD_ROWS)
def test_a_bad_row_refuses_the_whole_file(tmp_path, bad, words):
    before = counts()
    good = row(partner_city="Kyoto", partner_country="JP")
    path = write_csv(tmp_path, [good, bad, row(partner_city="Lyon", partner_country="FR")])
    with pytest.raises(CommandError):
        call_command("import_agreements", str(path))
    assert counts() == before
    plan = plan_import(read_csv(io.BytesIO(path.read_bytes())))
    assert [error.line for error in plan.errors] == [3] * len(plan.errors)
    assert words in " ".join(error.message for error in plan.errors)


def test_errors_name_line_and_reason_on_stderr(tmp_path, capsys):
    before = counts()
    path = write_csv(
        tmp_path,
        [
            row(partner_country="XX"),
            row(partner_city="Kyoto", partner_country="JP", year="19x9"),
            row(partner_city="Kyoto", partner_country="JP"),
        ],
    )
    with pytest.raises(CommandError, match="not imported"):
        call_command("import_agreements", str(path))
    err = capsys.readouterr().err
    assert "2" in err and "XX" in err
    assert "3" in err and "19x9" in err
    assert counts() == before


def test_duplicate_pair_in_the_file_is_refused():
    before = counts()
    plan = plan_import(
        [
            row(),
            row(partner_city="florence ", kind="friendship"),
            row(partner_city="Kyoto", partner_country="JP"),
        ]
    )
    assert [(e.line, "line 2" in e.message or "2" in e.message) for e in plan.errors] == [(3, True)]
    with pytest.raises(ImportRefused):
        apply_import(plan, reason=REASON)
    assert counts() == before


def test_same_cities_in_both_directions_are_two_agreements():
    plan = plan_import(
        [
            row(),
            row(
                home_city="Florence", home_country="IT", partner_city="Tehran", partner_country="IR"
            ),
        ]
    )
    assert plan.is_valid
    apply_import(plan, reason=REASON)
    assert Agreement.objects.count() == 2
    assert City.objects.get(name="Florence").is_home


def test_missing_columns_are_refused():
    with pytest.raises(ImportRefused) as refused:
        read_csv(io.BytesIO(b"home_city,partner_city\nTehran,Florence\n"))
    assert refused.value.errors[0].line == 1
    assert "home_country" in refused.value.errors[0].message


def test_not_utf8_is_refused():
    with pytest.raises(ImportRefused):
        read_csv(io.BytesIO(csv_bytes([row()]).replace(b"Florence", b"Flor\xe9nce")))


def test_unsupported_extension_is_refused():
    with pytest.raises(ImportRefused):
        read_rows(io.BytesIO(b""), "agreements.pdf")


# --- Matching and idempotence ---------------------------------------------------------------------


def test_cities_match_by_name_case_insensitively_and_country(personas):
    florence = CityFactory(name="Florence", country="IT", name_fa="")
    CityFactory(name="Florence", country="US")  # Florence, Alabama: another city
    plan = plan_import([row(home_city="TEHRAN", partner_city="florence")])
    apply_import(plan, reason=REASON)
    agreement = Agreement.objects.get()
    assert agreement.home_city == personas.tehran and agreement.partner_city == florence
    florence.refresh_from_db()
    assert florence.name_fa == "فلورانس"  # filled in where it was missing
    assert florence.history.latest("history_date").history_change_reason == REASON


def test_existing_persian_names_are_not_overwritten(personas):
    florence = CityFactory(name="Florence", country="IT", name_fa="فلورانسِ قدیم")
    apply_import(plan_import([row()]), reason=REASON)
    florence.refresh_from_db()
    assert florence.name_fa == "فلورانسِ قدیم"


def test_home_city_becomes_a_home_municipality():
    shiraz = CityFactory(name="Shiraz", country="IR", is_home=False)
    apply_import(plan_import([row(home_city="Shiraz")]), reason=REASON)
    shiraz.refresh_from_db()
    assert shiraz.is_home


def test_a_live_agreement_is_left_alone(personas):
    existing = AgreementFactory(
        home_city=personas.tehran, partner_city=CityFactory(name="Florence"), stage=Stage.GOALS
    )
    result = apply_import(plan_import([row(stage="active")]), reason=REASON)
    assert result.agreements_created == 0 and result.agreements_unchanged == 1
    existing.refresh_from_db()
    assert existing.stage == Stage.GOALS


def test_a_terminated_agreement_does_not_block_a_new_one(personas):
    AgreementFactory(
        home_city=personas.tehran,
        partner_city=CityFactory(name="Florence"),
        status=Status.TERMINATED,
    )
    apply_import(plan_import([row()]), reason=REASON)
    assert Agreement.objects.live().count() == 1


def test_apply_checks_the_database_again(personas):
    plan = plan_import([row()])
    AgreementFactory(home_city=personas.tehran, partner_city=CityFactory(name="Florence"))
    result = apply_import(plan, reason=REASON)
    assert result.agreements_created == 0
    assert Agreement.objects.count() == 1


def test_history_user_and_reason_from_apply(personas):
    apply_import(plan_import([row()]), by=personas.admin, reason=REASON)
    entry = Agreement.history.get()
    assert (entry.history_user, entry.history_change_reason) == (personas.admin, REASON)
    assert Agreement.objects.get().created_by == personas.admin


# --- XLSX ---------------------------------------------------------------------------------------------


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_file_imports(tmp_path):
    path = tmp_path / "agreements.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                [
                    "Tehran",
                    "IR",
                    "تهران",
                    "Florence",
                    "IT",
                    "فلورانس",
                    "sister",
                    "active",
                    1998,
                    None,
                ],
                ["Tehran", "IR", None, "Kyoto", "JP", None, "friendship", "goals", None, "note"],
            ]
        )
    )
    call_command("import_agreements", str(path))
    assert Agreement.objects.count() == 2
    florence = Agreement.objects.get(partner_city__name="Florence")
    assert florence.signed_year == 1998 and florence.partner_city.name_fa == "فلورانس"
    kyoto = Agreement.objects.get(partner_city__name="Kyoto")
    assert (kyoto.stage, kyoto.summary) == (Stage.GOALS, "note")


def test_xlsx_bad_row_reports_its_row_number():
    rows = read_xlsx(
        io.BytesIO(
            xlsx_bytes(
                [
                    ["Tehran", "IR", None, "Florence", "IT", None, "sister", "active", 1998, None],
                    [
                        "Tehran",
                        "IR",
                        None,
                        "Kyoto",
                        "JP",
                        None,
                        "sister",
                        "active",
                        "MCMXCVIII",
                        None,
                    ],
                ]
            )
        )
    )
    plan = plan_import(rows)
    assert [error.line for error in plan.errors] == [3]


def test_not_a_workbook_is_refused():
    with pytest.raises(ImportRefused):
        read_xlsx(io.BytesIO(b"not a zip file"))


# --- Large files ------------------------------------------------------------------------------------


def test_large_file_shows_progress_and_writes_history_for_every_row(tmp_path, capsys):
    rows = [
        row(partner_city=f"Town {n}", partner_country="IT", partner_name_fa="", year="")
        for n in range(1200)
    ]
    call_command("import_agreements", str(write_csv(tmp_path, rows)))
    assert Agreement.objects.count() == 1200
    assert Agreement.history.filter(history_type="+").count() == 1200
    assert City.objects.filter(name__startswith="Town ").count() == 1200
    assert City.history.filter(history_type="+").count() == City.objects.count()
    err = capsys.readouterr().err
    assert "1000/1200" in err and "1200/1200" in err


def test_export_can_be_imported_again(personas):
    from agreements.exporting import iter_csv

    apply_import(
        plan_import([row(), row(partner_city="Kyoto", partner_country="JP")]), reason=REASON
    )
    exported = "".join(iter_csv(Agreement.objects.all())).encode()
    before = counts()
    plan = plan_import(read_csv(io.BytesIO(exported)))
    assert plan.is_valid and plan.summary()["agreements_unchanged"] == 2
    apply_import(plan, reason=REASON)
    assert counts() == before
