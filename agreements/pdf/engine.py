"""One WeasyPrint set-up per process: font configuration, parsed stylesheets,
URL fetcher, and a lock around rendering.

Why reuse: a new FontConfiguration per render leaks about 0.25 MB and costs
time, and parsing the stylesheet (with its @font-face rules, which copy the
Vazirmatn files into fontconfig) is the slowest part of a small render. The lock
serialises renders inside one process because the shared FontConfiguration and
Pango's font map are not documented as thread-safe; app servers scale with
processes, so this costs nothing in production.

Documents are WeasyPrint's own `HTML` with its own user-agent stylesheet and
ours (static/css/pdf.css) on top: only public WeasyPrint and pydyf names.

Streams are compressed once, by `compress_streams_once`, WeasyPrint's finisher
hook: left to pydyf, a PDF/A file compresses every stream twice (once to hash
the file identifier, once to write it), at zlib's slowest level.
"""

from __future__ import annotations

import datetime
import hashlib
import threading
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pydyf
from django.conf import settings
from django.template.loader import get_template
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration

from .fetcher import SafeURLFetcher

STYLESHEET = "css/pdf.css"
# The partner languages' fonts (Noto; Chinese alone is 20 MB): parsed the first
# time a memorandum needs them, so a process that never prints one never loads them.
LANGUAGES_STYLESHEET = "css/pdf-languages.css"
TEMPLATES = ("pdf/memorandum.html", "pdf/dossier.html")

_lock = threading.Lock()


@dataclass(frozen=True)
class _Engine:
    fetcher: SafeURLFetcher
    font_config: FontConfiguration
    stylesheet: CSS


def stylesheet_path(name: str = STYLESHEET) -> Path:
    for static_dir in settings.STATICFILES_DIRS:
        path = Path(static_dir) / name
        if path.is_file():
            return path
    raise FileNotFoundError(name)


def _parse(name: str, fetcher: SafeURLFetcher, font_config: FontConfiguration) -> CSS:
    path = stylesheet_path(name)
    # Parsed from a string with the file's URL as base, so its relative font
    # URLs resolve inside static/ and go through the same fetcher.
    return CSS(
        string=path.read_text(encoding="utf-8"),
        base_url=path.as_uri(),
        url_fetcher=fetcher,
        font_config=font_config,
    )


@cache
def _engine() -> _Engine:
    fetcher = SafeURLFetcher()
    font_config = FontConfiguration()
    return _Engine(
        fetcher=fetcher,
        font_config=font_config,
        stylesheet=_parse(STYLESHEET, fetcher, font_config),
    )


def compress_streams_once(document, pdf: pydyf.PDF) -> None:
    """WeasyPrint finisher: compress each stream now, once, at zlib's default level.

    pydyf compresses a stream every time it reads the stream's bytes, at level 9,
    and with a file identifier (which PDF/A requires) it reads every object twice:
    once for the identifier's hash, once to write the file. Compressed here, the
    stream carries its own /FlateDecode filter and pydyf copies its bytes as they
    are. Streams that already have a filter (none today), or
    hold anything but bytes, are left to pydyf.
    """
    for item in pdf.objects:
        if (
            isinstance(item, pydyf.Stream)
            and item.compress
            and "Filter" not in item.extra
            # WeasyPrint writes a stream's content as bytes; anything else is left
            # to pydyf, which knows how to write its objects.
            and all(isinstance(part, bytes) for part in item.stream)
        ):
            item.stream = [zlib.compress(b"\n".join(item.stream))]
            item.extra["Filter"] = "/FlateDecode"
            item.compress = False


@cache
def _extra_stylesheet(name: str) -> CSS:
    engine = _engine()
    return _parse(name, engine.fetcher, engine.font_config)


def fetcher() -> SafeURLFetcher:
    return _engine().fetcher


@cache
def render_version() -> str:
    """A short hash of the stylesheets and the PDF templates: part of every cache
    key, so a deployment that changes the layout does not serve old drafts."""
    digest = hashlib.sha256(stylesheet_path().read_bytes())
    digest.update(stylesheet_path(LANGUAGES_STYLESHEET).read_bytes())
    for name in TEMPLATES:
        digest.update(Path(get_template(name).origin.name).read_bytes())
    return digest.hexdigest()[:16]


def html_to_pdf(
    html: str,
    *,
    extra_stylesheets: list[str] = (),
    attachments: list[tuple[str, bytes, str]] = (),
    pdf_a: bool = False,
    created: datetime.datetime | None = None,
) -> bytes:
    """Render our own template output to PDF bytes.

    `attachments` are (file name, content, description) triples embedded in the
    PDF; `pdf_a` makes the file PDF/A-3b (the archival format that allows
    embedded files); `extra_stylesheets` (static paths) apply after ours.
    """
    engine = _engine()
    with _lock:
        stylesheets = [engine.stylesheet, *(_extra_stylesheet(name) for name in extra_stylesheets)]
        # The base URL is the stylesheet's folder: relative URLs in a template
        # (there should be none) still resolve inside static/ and meet the fetcher.
        document = HTML(
            string=html, base_url=stylesheet_path().as_uri(), url_fetcher=engine.fetcher
        )
        embedded = [
            Attachment(
                string=content,
                url_fetcher=engine.fetcher,
                name=name,
                description=description,
                created=created,
                modified=created,
                relationship="Data",
            )
            for name, content, description in attachments
        ]
        return document.write_pdf(
            stylesheets=stylesheets,
            font_config=engine.font_config,
            attachments=embedded or None,
            pdf_variant="pdf/a-3b" if pdf_a else None,
            # Deterministic file identifier: the same input gives the same
            # bytes, which keeps cached drafts and re-renders comparable.
            pdf_identifier=hashlib.md5(html.encode(), usedforsecurity=False).hexdigest().encode(),
            finisher=compress_streams_once,
        )
