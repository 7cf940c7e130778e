"""`manage.py fill_city_profiles`: coordinates, population and the public address of
cities saved before they were kept.

A new city gets them when it is saved (cities.models.City.save, the importer):
this fills those of existing cities where they are blank, from GeoNames
(cities.geo, offline), one save each so that every change has its history row
(reason `city_geonames`, via "command"). A value someone typed is never
overwritten. `--dry-run` only counts. Prints what it filled and which cities
GeoNames does not know (their coordinates are for an administrator to type).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q

from agreements import reasons
from cities import geo
from cities.models import City


class Command(BaseCommand):
    help = "Fill blank coordinates, population and public addresses of cities from GeoNames."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count only; save nothing.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        blank = Q(latitude__isnull=True) | Q(longitude__isnull=True) | Q(population__isnull=True)
        filled, unknown, slugs = 0, [], 0
        for city in City.objects.filter(blank | Q(slug__isnull=True)).order_by("pk").iterator():
            had_slug = bool(city.slug)
            changed = geo.fill_blanks(city)
            if not changed and city.latitude is None:
                unknown.append(f"{city.name} ({city.country})")
            if not changed and had_slug:
                continue
            filled += changed
            slugs += not had_slug
            if dry_run:
                continue
            with transaction.atomic():
                city.version += 1
                city._change_reason = reasons.reason("city_geonames", via="command")
                city.save()  # also gives a missing slug
        verb = "would fill" if dry_run else "filled"
        self.stdout.write(f"{verb} {filled} cities from GeoNames, {slugs} public addresses.")
        if unknown:
            self.stdout.write(
                f"{len(unknown)} cities not found in GeoNames: " + "; ".join(unknown[:50])
            )
