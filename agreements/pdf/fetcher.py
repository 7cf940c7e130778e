"""The only way WeasyPrint may load anything while we render a PDF.

WeasyPrint 70's own fetcher follows every protocol: a `file:///etc/passwd`
attachment or image, or a `url()` pointing at an internal host, would be read
or requested (SSRF). Templates escape all user text, so no user can write such a
URL into our HTML; this fetcher is the second wall behind that one: it serves
only files that really lie inside the project's static `vendor/` and `css/`
folders (after resolving symlinks and `..`) and refuses everything else,
including `http(s):`, `data:` and `ftp:` URLs. The same instance is given to
`HTML`, `CSS` and `Attachment`.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Sub-folders of each static directory that a PDF may use: fonts and stylesheets.
ALLOWED_STATIC_SUBDIRS = ("vendor", "css")


class RefusedURL(ValueError):
    """A URL the PDF renderer may not load. WeasyPrint logs it and leaves the
    resource out (a ValueError is not fatal to the rendering)."""


def allowed_roots() -> list[Path]:
    """The folders the PDF renderer may read from, resolved."""
    return [
        (Path(static_dir) / sub).resolve()
        for static_dir in settings.STATICFILES_DIRS
        for sub in ALLOWED_STATIC_SUBDIRS
    ]


class SafeURLFetcher(URLFetcher):
    def __init__(self, roots: list[Path] | None = None) -> None:
        # No network use is possible (fetch() never calls urllib), but the
        # base settings are set to the strictest values anyway.
        super().__init__(
            timeout=1, allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=False
        )
        self._roots = roots

    @property
    def roots(self) -> list[Path]:
        # Read lazily so that settings overridden in tests apply.
        return self._roots if self._roots is not None else allowed_roots()

    def resolve(self, url: str) -> Path:
        """The local file a URL names, if the PDF may read it; RefusedURL otherwise."""
        try:
            parts = urlsplit(url)
        except ValueError:
            raise RefusedURL(f"Malformed URL refused: {url[:200]!r}")
        if parts.scheme.lower() != "file":
            raise RefusedURL(f"Only local static files may be loaded, not {url[:200]!r}")
        if parts.netloc not in ("", "localhost"):
            # file://host/share/... would be a network path on some systems.
            raise RefusedURL(f"A file URL with a host is refused: {url[:200]!r}")
        raw_path = unquote(parts.path)
        if "\x00" in raw_path:
            raise RefusedURL("A file URL with a NUL byte is refused.")
        try:
            # strict=True: the file must exist; symlinks and '..' are resolved
            # before the check, so a link inside static/ cannot point outside.
            path = Path(raw_path).resolve(strict=True)
        except (OSError, RuntimeError):
            raise RefusedURL(f"No such static file: {url[:200]!r}")
        if not path.is_file() or not any(path.is_relative_to(root) for root in self.roots):
            raise RefusedURL(f"Outside the static fonts and stylesheets: {url[:200]!r}")
        return path

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        try:
            path = self.resolve(url)
        except RefusedURL:
            logger.warning("PDF rendering refused to load %.200s", url)
            raise
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )
