"""WeasyPrint may load only the project's static fonts and stylesheet: hostile
text in a memorandum reads no local file and requests no URL."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from agreements.pdf import RefusedURL, SafeURLFetcher, engine, render_dossier, render_memorandum
from agreements.pdf.memorandum import _context, _prepare
from tests.factories import ContactFactory
from tests.pdf_helpers import attachments, make_memorandum, text_of

STATIC = Path(django_settings.BASE_DIR) / "static"
FONT = STATIC / "vendor" / "vazirmatn" / "Vazirmatn-Regular.ttf"


@pytest.fixture
def server():
    """A web server on a free loopback port that records every request it gets."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def fresh_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


# --- The fetcher on its own ------------------------------------------------------------------


def test_fetcher_serves_the_bundled_font():
    response = SafeURLFetcher().fetch(FONT.as_uri())
    assert response.read() == FONT.read_bytes()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://evil.example/share/x.css",
        "http://127.0.0.1/",
        "https://example.org/font.ttf",
        "data:text/css,body{color:red}",
        "ftp://127.0.0.1/x",
        "FILE:///etc/passwd",
        "file:///etc/passwd%00.ttf",
    ],
)
def test_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(RefusedURL):
        SafeURLFetcher().fetch(url)


def test_fetcher_refuses_dot_dot_out_of_static():
    escape = STATIC / "css" / ".." / ".." / "config" / "settings.py"
    assert escape.resolve().is_file()
    with pytest.raises(RefusedURL):
        SafeURLFetcher().fetch(escape.as_uri())
    # Percent-encoded dots are decoded before resolving, and refused too.
    with pytest.raises(RefusedURL):
        SafeURLFetcher().fetch(f"{(STATIC / 'css').as_uri()}/%2e%2e/%2e%2e/config/settings.py")


def test_fetcher_refuses_a_symlink_that_points_outside(tmp_path):
    root = tmp_path / "static" / "css"
    root.mkdir(parents=True)
    (root / "fine.css").write_text("body {}")
    (root / "passwd.css").symlink_to("/etc/passwd")
    fetcher = SafeURLFetcher(roots=[root.resolve()])
    assert fetcher.fetch((root / "fine.css").as_uri()).read() == b"body {}"
    with pytest.raises(RefusedURL):
        fetcher.fetch((root / "passwd.css").as_uri())


def test_fetcher_allows_static_vendor_and_css_only():
    # Inside static/ only vendor/ and css/ are allowed; the project folder is not..
    readme = STATIC / "vendor" / "README.md"
    assert SafeURLFetcher().fetch(readme.as_uri())
    outside = Path(django_settings.BASE_DIR) / "manage.py"
    with pytest.raises(RefusedURL):
        SafeURLFetcher().fetch(outside.as_uri())


# --- Rendering -------------------------------------------------------------------------------

HOSTILE = (
    '<img src="file:///etc/passwd"> <img src="{base}/img.png"> '
    '<link rel="attachment" href="file:///etc/passwd"> <a href="{base}/">click</a> '
    "<style>@import url({base}/x.css); body {{ background: url({base}/bg.png) }}</style>"
)
# For a one-line field of at most 200 characters (an official's name and title).
HOSTILE_LINE = '<img src="file:///etc/passwd"> <img src="{base}/img.png">'


@pytest.mark.django_db
def test_hostile_memorandum_text_is_escaped_and_loads_nothing(personas, server, monkeypatch):
    base, requests = server
    fetched: list[str] = []
    real_fetch = SafeURLFetcher.fetch

    def recording_fetch(self, url, headers=None):
        fetched.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(SafeURLFetcher, "fetch", recording_fetch)
    memorandum = make_memorandum(personas)
    official = memorandum.officials.get(side="home")
    official.name = official.name_fa = official.title = HOSTILE_LINE.format(base=base)
    official.save()
    article = memorandum.articles.order_by("position").first()
    article.body_en = HOSTILE.format(base=base)
    article.body_fa = HOSTILE.format(base=base)
    article.save()

    content, content_hash, _data = _prepare(memorandum, True)
    context = _context(memorandum, content, content_hash, True, timezone.now())
    html = render_to_string("pdf/memorandum.html", context)
    assert '<img src="file:///etc/passwd">' not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html

    pdf = render_memorandum(memorandum, draft=True)
    assert requests == []
    assert [url for url in fetched if "/static/" not in url] == []
    assert list(attachments(pdf)) == ["memorandum.json"]
    assert b"root:x:0:0" not in pdf
    assert "file:///etc/passwd" in text_of(pdf)  # shown as text, harmlessly


@pytest.mark.django_db
def test_hostile_record_text_in_the_dossier_loads_nothing(personas, server):
    base, requests = server
    memorandum = make_memorandum(personas)
    ContactFactory(agreement=memorandum.agreement, notes=HOSTILE.format(base=base))
    pdf = render_dossier(memorandum.agreement, language="en")
    assert requests == []
    assert set(attachments(pdf)) == {"dossier.json"}  # its own data, nothing fetched
    assert "file:///etc/passwd" in text_of(pdf)


def test_raw_html_reaching_weasyprint_still_cannot_load_anything(server):
    """Even if escaping failed, the fetcher given to HTML and CSS refuses it."""
    base, requests = server
    html = (
        "<html><head>"
        '<link rel="attachment" href="file:///etc/passwd">'
        f'<link rel="stylesheet" href="{base}/style.css">'
        f"<style>@import url({base}/import.css); @font-face {{ font-family: X; src: url({base}/x.ttf) }}"
        f" body {{ background: url({base}/bg.png); font-family: X }}</style>"
        "</head><body>"
        f'<img src="file:///etc/passwd"><img src="{base}/img.png"><img src="data:image/png;base64,iVBORw0KGgo=">'
        f'<object data="{base}/object"></object><embed src="{base}/embed">'
        "<p>text</p></body></html>"
    )
    pdf = engine.html_to_pdf(html, attachments=[])
    assert requests == []
    assert attachments(pdf) == {}
    assert b"root:x:0:0" not in pdf
