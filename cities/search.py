"""Search that ignores the differences a Persian reader does not see.

Persian text typed on different keyboards differs in ways invisible on screen:
Arabic yeh (ي, ى) and kaf (ك) instead of Persian ی and ک, a zero-width
non-joiner (or none) inside "خواهر‌شهر", direction marks pasted from other
programs, and digits in Persian, Arabic-Indic or Latin form. `normalise` maps all
of them to one form. A city stores its two names normalised (`City.search_name`,
filled on save and trigram-indexed on PostgreSQL), so a search normalises only
the query. Agreements are found through their cities (agreements.search).
"""

from __future__ import annotations

# Order matters only in that every source is a single character that no earlier
# replacement produces.
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


# The Persian alphabet in its dictionary order (آ before ا; پ چ ژ گ after the letter
# they extend, which Unicode's code points do not give: they sit after every Arabic
# letter). Letters of other alphabets sort after it, by code point.
PERSIAN_ALPHABET = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
_PERSIAN_RANK = {letter: rank for rank, letter in enumerate(PERSIAN_ALPHABET, start=1)}
# Arabic forms sorted as the Persian letter they are read as.
_SORT_TABLE = str.maketrans(
    {"أ": "ا", "إ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ی", "ة": "ه", "ۀ": "ه", "ء": ""}
)


def persian_sort_key(text: str | None) -> tuple[int, ...]:
    """A sort key that puts Persian text in Persian alphabetical order ("پاکستان"
    after "بلژیک" and before "ترکیه"; "گرجستان" after "کانادا"), ignoring zero-width
    marks, diacritics and the difference between Arabic and Persian yeh and kaf.
    A space sorts before every letter, so "سری لانکا" comes before "سریلانکا"."""
    key = []
    for character in normalise(text).translate(_SORT_TABLE):
        if character == " ":
            key.append(0)
        elif character in _PERSIAN_RANK:
            key.append(_PERSIAN_RANK[character])
        elif "\u064b" <= character <= "\u065f" or character == "\u0670":
            continue  # harakat and superscript alef: not letters of the order
        else:
            key.append(len(PERSIAN_ALPHABET) + 1 + ord(character))
    return tuple(key)
