"""Officials present, one row per official and side (MemorandumOfficial), instead of
the memorandum's free text `officials_present`. The free text is not lost: each
non-empty line becomes one official on the home side (a line in Persian script goes
to the Persian name, its English name is then left for the officer to fill in), with
a history row saying where it came from; then the old field is removed."""

import re

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import cities.validators

# A stored history reason (agreements/reasons.py, code "officials_moved"), read back
# in the reader's language.
MOVED_REASON = '{"code": "officials_moved"}'
PERSIAN_LETTERS = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def move_officials_present(apps, schema_editor):
    Memorandum = apps.get_model("agreements", "Memorandum")
    Official = apps.get_model("agreements", "MemorandumOfficial")
    HistoricalOfficial = apps.get_model("agreements", "HistoricalMemorandumOfficial")
    now = django.utils.timezone.now()
    for memorandum in Memorandum.objects.exclude(officials_present="").order_by("pk"):
        lines = [line.strip() for line in memorandum.officials_present.splitlines()]
        for position, line in enumerate((line for line in lines if line), start=1):
            line = line[:200]
            persian = bool(PERSIAN_LETTERS.search(line))
            official = Official.objects.create(
                memorandum=memorandum,
                side="home",
                position=position,
                name="" if persian else line,
                name_fa=line if persian else "",
                created_at=now,
            )
            HistoricalOfficial.objects.create(
                id=official.pk,
                memorandum_id=memorandum.pk,
                side=official.side,
                position=official.position,
                name=official.name,
                name_fa=official.name_fa,
                title="",
                title_fa="",
                created_at=now,
                updated_at=official.updated_at,
                version=1,
                history_date=now,
                history_type="+",
                history_change_reason=MOVED_REASON,
            )


def leave_officials_present(apps, schema_editor):
    """Going back: the officials' names, one a line, into the free text again."""
    Memorandum = apps.get_model("agreements", "Memorandum")
    Official = apps.get_model("agreements", "MemorandumOfficial")
    for memorandum in Memorandum.objects.filter(pk__in=Official.objects.values("memorandum")):
        officials = Official.objects.filter(memorandum=memorandum).order_by(
            "side", "position", "id"
        )
        memorandum.officials_present = "\n".join(
            " – ".join(part for part in (o.name or o.name_fa, o.title) if part) for o in officials
        )
        memorandum.save(update_fields=["officials_present"])


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0016_field_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalMemorandumOfficial",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="updated at"),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "side",
                    models.CharField(
                        choices=[("home", "Home side"), ("partner", "Partner side")],
                        default="home",
                        max_length=10,
                        verbose_name="side",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=1, verbose_name="position")),
                (
                    "name",
                    models.CharField(
                        max_length=200,
                        validators=[
                            cities.validators.validate_line,
                            cities.validators.NoPersianScript("name (English)"),
                        ],
                        verbose_name="name (English)",
                    ),
                ),
                (
                    "name_fa",
                    models.CharField(
                        blank=True,
                        max_length=200,
                        validators=[
                            cities.validators.validate_line,
                            cities.validators.PersianScript("name (Persian)"),
                        ],
                        verbose_name="name (Persian)",
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        blank=True,
                        max_length=200,
                        validators=[
                            cities.validators.validate_line,
                            cities.validators.NoPersianScript("title (English)"),
                        ],
                        verbose_name="title (English)",
                    ),
                ),
                (
                    "title_fa",
                    models.CharField(
                        blank=True,
                        max_length=200,
                        validators=[
                            cities.validators.validate_line,
                            cities.validators.PersianScript("title (Persian)"),
                        ],
                        verbose_name="title (Persian)",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "memorandum",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="agreements.memorandum",
                        verbose_name="memorandum",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical official present",
                "verbose_name_plural": "historical officials present",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="MemorandumOfficial",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "side",
                    models.CharField(
                        choices=[("home", "Home side"), ("partner", "Partner side")],
                        default="home",
                        max_length=10,
                        verbose_name="side",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=1, verbose_name="position")),
                (
                    "name",
                    models.CharField(
                        max_length=200,
                        validators=[
                            cities.validators.validate_line,
                            cities.validators.NoPersianScript("name (English)"),
                        ],
                        verbose_name="name (English)",
                    ),
                ),
                (
                    "name_fa",
                    models.CharField(
                        blank=True,
                        max_length=200,
                        validators=[
                            cities.validators.validate_line,
                            cities.validators.PersianScript("name (Persian)"),
                        ],
                        verbose_name="name (Persian)",
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        blank=True,
                        max_length=200,
                        validators=[
                            cities.validators.validate_line,
                            cities.validators.NoPersianScript("title (English)"),
                        ],
                        verbose_name="title (English)",
                    ),
                ),
                (
                    "title_fa",
                    models.CharField(
                        blank=True,
                        max_length=200,
                        validators=[
                            cities.validators.validate_line,
                            cities.validators.PersianScript("title (Persian)"),
                        ],
                        verbose_name="title (Persian)",
                    ),
                ),
                (
                    "memorandum",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="officials",
                        to="agreements.memorandum",
                        verbose_name="memorandum",
                    ),
                ),
            ],
            options={
                "verbose_name": "official present",
                "verbose_name_plural": "officials present",
                "ordering": ["memorandum", "side", "position", "id"],
            },
        ),
        migrations.RunPython(move_officials_present, leave_officials_present),
        migrations.RemoveField(
            model_name="historicalmemorandum",
            name="officials_present",
        ),
        migrations.RemoveField(
            model_name="memorandum",
            name="officials_present",
        ),
    ]
