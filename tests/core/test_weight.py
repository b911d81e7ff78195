"""Light on a weak link: pages compressed, static files fingerprinted and cached for a year,
and htmx loaded only by the pages that use it."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

from buudien.core.models import Role, User

YEAR = 365 * 24 * 3600
TEMPLATE_DIRS = [settings.BASE_DIR / "templates", *settings.BASE_DIR.glob("*/templates")]


def test_a_page_is_gzipped_for_a_client_that_accepts_only_gzip(client: Client) -> None:
    response = client.get("/login/", HTTP_ACCEPT_ENCODING="gzip, deflate")

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b'name="password"' in gzip.decompress(response.content)


def test_a_page_is_brotli_compressed_for_a_client_that_accepts_it(client: Client) -> None:
    plain = client.get("/login/")
    response = client.get("/login/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert response["Content-Encoding"] == "br"
    assert len(response.content) < len(plain.content) / 2
    assert b'name="password"' in brotli.decompress(response.content)


def test_a_page_is_sent_as_it_is_to_a_client_that_accepts_no_compression(client: Client) -> None:
    response = client.get("/login/")

    assert not response.has_header("Content-Encoding")
    assert b'name="password"' in response.content


@pytest.fixture
def collected(tmp_path: Path) -> Iterator[None]:
    """The static files collected, fingerprinted and compressed, as `buudien serve` does."""
    storages = settings.STORAGES | {
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    }
    with override_settings(
        STORAGES=storages,
        STATIC_ROOT=tmp_path,
        # Our own files only (not the fonts and vendored libraries): quick to compress.
        STATICFILES_DIRS=[("buudien", settings.BASE_DIR / "static" / "buudien")],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        WHITENOISE_USE_FINDERS=False,
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield


@pytest.mark.usefixtures("collected")
def test_a_static_file_is_fingerprinted_compressed_and_cached_for_a_year(db: None) -> None:
    client = Client()
    page = client.get("/login/").content.decode()
    css = re.search(r'href="(/static/buudien/app\.[0-9a-f]{12}\.css)"', page)
    assert css, "the stylesheet is linked under its fingerprinted name"

    response = client.get(css[1], HTTP_ACCEPT_ENCODING="gzip, br")
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    response.close()

    assert response.status_code == 200
    assert response["Cache-Control"] == f"max-age={YEAR}, public, immutable"
    assert response["Content-Encoding"] == "br"
    assert b".badge" in brotli.decompress(body)


@pytest.mark.usefixtures("collected")
def test_a_static_file_under_its_plain_name_is_not_cached_for_a_year(db: None) -> None:
    response = Client().get("/static/buudien/app.css")
    response.close()

    assert response.status_code == 200
    max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"])[1])  # type: ignore[index]
    assert max_age <= 3600


def test_a_page_that_does_not_use_htmx_does_not_load_it(client: Client) -> None:
    assert b"htmx" not in client.get("/login/").content


def test_a_page_that_uses_htmx_loads_it(client: Client, users: dict[str, User]) -> None:
    client.force_login(users[Role.AREA_MANAGER])
    page = client.get("/network/").content.decode()

    assert "hx-get" in page
    assert re.search(r'<script src="/static/vendor/htmx/htmx\.min\.js" defer>', page)


def _templates() -> dict[str, str]:
    return {
        str(path.relative_to(folder)): path.read_text()
        for folder in TEMPLATE_DIRS
        for path in folder.rglob("*.html")
    }


def _uses_htmx(name: str, templates: dict[str, str], seen: frozenset[str] = frozenset()) -> bool:
    text = templates.get(name, "")
    if re.search(r"\shx-[a-z]", text):
        return True
    included = re.findall(r"""{%\s*include\s+["']([^"']+)["']""", text)
    return any(_uses_htmx(i, templates, seen | {name}) for i in included if i not in seen)


def test_every_page_with_htmx_attributes_loads_htmx() -> None:
    """A page of base.html with hx- attributes (its own or an included partial's) opts in with
    {% block head %}{% include "core/_htmx.html" %}: no other page pays for htmx."""
    templates = _templates()
    pages = [n for n, text in templates.items() if re.search(r"{%\s*extends", text)]
    forgot = [
        name
        for name in pages
        if _uses_htmx(name, templates) and "core/_htmx.html" not in templates[name]
    ]

    assert pages
    assert not forgot, f"hx- attributes without {{% include 'core/_htmx.html' %}}: {forgot}"
