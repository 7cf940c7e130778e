"""Search that ignores the differences a Persian reader does not see.

Persian text typed on different keyboards differs in ways invisible on screen:
Arabic yeh (ي, ى) and kaf (ك) instead of Persian ی and ک, a zero-width
non-joiner (or none) inside "خواهر‌شهر", direction marks pasted from other
programs, and digits in Persian, Arabic-Indic or Latin form. `normalise` maps all
of them to one form; `normalised_expr` applies the very same table in the
database (TRANSLATE on PostgreSQL, the same Python function registered in
SQLite), so a normalised query is compared with normalised names.

The stored alternative (a normalised `City.search_name` column filled on save)
would be cheaper; until it exists, searches normalise the city table on the fly.
Cities are few next to agreements, so the city names are matched first and the
agreements filtered by the matching city ids.
"""

from __future__ import annotations

from django.db.models import F, Func, Q, QuerySet, TextField, Value

# One table for Python and SQL. Order matters only in that every source is a
# single character that no earlier replacement produces.
REPLACEMENTS: tuple[tuple[str, str], ...] = (
    ("\u064a", "\u06cc"),  # ARABIC LETTER YEH -> FARSI YEH
    ("\u0649", "\u06cc"),  # ALEF MAKSURA -> FARSI YEH
    ("\u0643", "\u06a9"),  # ARABIC LETTER KAF -> KEHEH
    ("\u06c0", "\u0647"),  # HEH WITH YEH ABOVE -> HEH
    ("\u0654", ""),  # HAMZA ABOVE (as in هٔ)
    ("\u0640", ""),  # TATWEEL (stretching)
    # Zero-width and direction marks.
    ("\u200c", ""),  # ZERO WIDTH NON-JOINER
    ("\u200b", ""),  # ZERO WIDTH SPACE
    ("\u200d", ""),  # ZERO WIDTH JOINER
    ("\u200e", ""),  # LEFT-TO-RIGHT MARK
    ("\u200f", ""),  # RIGHT-TO-LEFT MARK
    ("\u061c", ""),  # ARABIC LETTER MARK
    ("\u202a", ""),
    ("\u202b", ""),
    ("\u202c", ""),
    ("\u202d", ""),
    ("\u202e", ""),
    ("\u2066", ""),
    ("\u2067", ""),
    ("\u2068", ""),
    ("\u2069", ""),
    ("\ufeff", ""),  # BYTE ORDER MARK / ZERO WIDTH NO-BREAK SPACE
    ("\u00ad", ""),  # SOFT HYPHEN
    # Persian (۰-۹) and Arabic-Indic (٠-٩) digits -> Latin.
    *((chr(0x06F0 + d), str(d)) for d in range(10)),
    *((chr(0x0660 + d), str(d)) for d in range(10)),
)

_TABLE = str.maketrans(dict(REPLACEMENTS))


def normalise(text: str | None) -> str:
    """`text` with Arabic yeh/kaf made Persian, zero-width and direction marks
    removed, all digits Latin, case folded and runs of white space made one space."""
    if not text:
        return ""
    return " ".join(str(text).translate(_TABLE).casefold().split())


def search_terms(text: str | None) -> list[str]:
    """The normalised words of a query; every one must match."""
    return normalise(text).split()


SQLITE_FUNCTION = "sistercities_normalise"

_DELETED = "".join(source for source, target in REPLACEMENTS if not target)
_MAPPED = [(source, target) for source, target in REPLACEMENTS if target]


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """connection_created handler: SQLite runs `normalise` itself (a deterministic
    Python function), so the database and the query use the very same code."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, normalise, deterministic=True)


class Normalised(Func):
    """`normalise(column)` computed in the database.

    PostgreSQL: LOWER(TRANSLATE(column, from, to)); TRANSLATE maps characters one
    to one and deletes those of `from` that have no counterpart in `to`. SQLite:
    the Python function registered on every connection (nested REPLACE calls
    overflow SQLite's parser stack). White-space runs are collapsed only on
    SQLite; word-by-word matching makes that irrelevant."""

    function = "LOWER"
    arity = 1
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        source = "".join(s for s, _t in _MAPPED) + _DELETED
        target = "".join(t for _s, t in _MAPPED)
        inner = Func(
            self.source_expressions[0],
            Value(source),
            Value(target),
            function="TRANSLATE",
            output_field=TextField(),
        )
        return Func(inner, function="LOWER", output_field=TextField()).as_sql(compiler, connection)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function=SQLITE_FUNCTION, **extra_context)


def normalised_expr(field: str) -> Func:
    return Normalised(F(field))


def cities_matching(term: str, queryset: QuerySet | None = None) -> QuerySet:
    """Cities whose English or Persian name contains the normalised `term`."""
    from cities.models import City

    queryset = City.objects.all() if queryset is None else queryset
    # City.search_name holds both names already normalised (and is trigram-
    # indexed on PostgreSQL), so no row is normalised at search time.
    return queryset.filter(search_name__contains=term)


def search_agreements(queryset: QuerySet, text: str | None) -> QuerySet:
    """Agreements where every word of `text` is in a name (either language) of the
    home or the partner city."""
    for term in search_terms(text):
        city_ids = cities_matching(term).values("pk")
        queryset = queryset.filter(Q(home_city__in=city_ids) | Q(partner_city__in=city_ids))
    return queryset
