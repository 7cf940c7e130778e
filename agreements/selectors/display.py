"""How a person and a stored value read, the same on every output.

The pages (agreements.views and the templates), the dossier PDF (agreements.pdf)
and the e-mails call these where they say the same thing:

- `person_name(user)`: full name, else user name; "system" for no user (a save
  made by a command or a migration has no user);
- `choice_label(field, value)`: a stored choice code as its label, in the active
  language (the code itself when it is no longer a choice);
- `yes_no(value)`;
- `value_label(field, value, users=, cities=)`: the label of a stored value that
  names something (a choice, yes/no, a user or a city by id), or None for the
  values each output writes its own way.

What differs by output stays there: dates (the pages' `jdate` template filter,
the PDF's `reader_date`), digits (Persian digits in the PDF through its `number`),
the mark for an empty value and where a long text is cut. History reasons are
stored as codes with values and read through agreements.reasons.describe.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext

from cities.models import City


def person_name(user) -> str:
    """A user as people know them: full name, else user name; "system" for none."""
    if user is None:
        return gettext("system")
    return user.get_full_name() or user.get_username()


def choice_label(field: models.Field, value: object) -> str:
    """The label of a stored choice code in the active language; the code itself
    when it is not (or no longer) one of the field's choices."""
    return str(dict(field.flatchoices).get(value, value))


def yes_no(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


def value_label(
    field: models.Field,
    value: object,
    *,
    users: Mapping[int, object],
    cities: Mapping[int, City],
    digits: Callable[[object], str] = str,
) -> str | None:
    """What a stored value (as a history row holds it: a foreign key's id, a
    choice's code) names: a user's or a city's name, another record as "kind #id",
    a choice's label, yes or no. None for an empty value, a date, a number or a
    text: each output writes those its own way. `users` and `cities` are the ones
    the values name (selectors.history.referenced_objects); one that is not there
    (deleted) reads as its id, written with `digits`."""
    if value is None or value == "":
        return None
    if field.is_relation:
        related = field.related_model
        if related is get_user_model():
            return person_name(users[value]) if value in users else f"#{digits(value)}"
        if related is City:
            return cities[value].display_name if value in cities else f"#{digits(value)}"
        return f"{related._meta.verbose_name} #{digits(value)}"
    if field.choices:
        return choice_label(field, value)
    if isinstance(value, bool):
        return yes_no(value)
    return None
