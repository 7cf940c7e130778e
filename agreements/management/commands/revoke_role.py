"""python manage.py revoke_role USERNAME ROLE [CITY]"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agreements import reasons
from agreements.models import RoleName
from agreements.services import revoke_role

from .grant_role import find_home_city, find_user


class Command(BaseCommand):
    help = "Take a role away from a user (CITY by English name; none for administrator)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=RoleName.values)
        parser.add_argument("city", nargs="?")

    def handle(self, *args, username: str, role: str, city: str | None, **options) -> None:
        user = find_user(username)
        if role != RoleName.ADMINISTRATOR and not city:
            raise CommandError(f"The {role} role needs a home municipality (CITY).")
        try:
            removed = revoke_role(
                user=user,
                role=role,
                city=find_home_city(city),
                reason=reasons.reason("role_revoked", via="command"),
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages))
        if not removed:
            raise CommandError(f"{username} has no {role} role there.")
        self.stdout.write(self.style.SUCCESS(f"Removed {removed} role(s) from {username}."))
