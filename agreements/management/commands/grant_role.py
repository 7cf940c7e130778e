"""python manage.py grant_role USERNAME ROLE [CITY]"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agreements import reasons
from agreements.models import RoleName
from agreements.services import grant_role
from cities.models import City


def find_home_city(name: str | None) -> City | None:
    if not name:
        return None
    city = City.objects.filter(name__iexact=name, is_home=True).first()
    if city is None:
        raise CommandError(f"No home municipality named {name!r}.")
    return city


def find_user(username: str):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user named {username!r}.")


class Command(BaseCommand):
    help = "Give a user a role in a home municipality (CITY by English name), or the administrator role."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=RoleName.values)
        parser.add_argument(
            "city", nargs="?", help="English name of the home municipality (not for administrator)"
        )

    def handle(self, *args, username: str, role: str, city: str | None, **options) -> None:
        user = find_user(username)
        if role == RoleName.ADMINISTRATOR and city:
            raise CommandError("The administrator role belongs to no municipality; leave CITY out.")
        if role != RoleName.ADMINISTRATOR and not city:
            raise CommandError(f"The {role} role needs a home municipality (CITY).")
        try:
            granted = grant_role(
                user=user,
                role=role,
                city=find_home_city(city),
                reason=reasons.reason("role_granted", via="command"),
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages))
        self.stdout.write(self.style.SUCCESS(f"{granted}"))
