"""Lays out print pages with WeasyPrint in a worker process (or in this one, for a small job).

Imported by the worker processes only (and by the fork server ahead of them, so that each worker starts
with WeasyPrint, the templates and the font configuration already loaded); the web app and the CLI
import badges.printing.pdf, which imports this module only when it renders.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from badges.printing import qr, sheets
from badges.printing.sheets import Page


def static_dir() -> Path:
    return Path(str(resources.files("templates"))) / "static"


class StaticFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """Reaches our own static files and makes QR codes (`qr:` addresses); refuses everything else, so a
    name typed into a form can never make the renderer fetch a URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file", "qr", "sheet", "data"))
        self._root = static_dir().resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith(qr.SCHEME):
            return URLFetcherResponse(url, qr.png(qr.data_of(url)), _headers("image/png"))
        if url.startswith(sheets.FURNITURE):
            return URLFetcherResponse(url, sheets.furniture_svg(url), _headers("image/svg+xml"))
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file:"):
            from urllib.request import url2pathname

            path = Path(url2pathname(url.removeprefix("file:").split("?")[0])).resolve()
            if path.is_relative_to(self._root) and path.is_file():
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _mime(path)})
        msg = f"not one of our static files: {url[:80]}"
        raise ValueError(msg)


@cache
def _headers(content_type: str) -> EmailMessage:
    """Response headers, made once: the renderer only reads them, and building them from a dict goes
    through the e-mail header parser (a fifth of the time an image of ours takes to load)."""
    headers = EmailMessage()
    headers["Content-Type"] = content_type
    return headers


def _mime(path: Path) -> str:
    return {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}.get(
        path.suffix, "application/octet-stream"
    )


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(Path(str(resources.files("templates"))))),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def font_config() -> FontConfiguration:
    """One font configuration for the whole process: building it reads fontconfig's cache."""
    return FontConfiguration()


@cache
def stylesheet() -> CSS:
    """The print stylesheet, parsed once per process rather than once per chunk (a document's biggest
    fixed cost after its fonts). Given to the renderer as a user stylesheet: the pages' inline styles
    (author origin) come first where both set a property, which is what the templates mean."""
    path = static_dir() / "css" / "badges.css"
    return CSS(filename=str(path), url_fetcher=StaticFetcher(), font_config=font_config())


def html_of(pages: Sequence[Page], title: str, language: str) -> str:
    template = environment().get_template("badges/print.html")
    return template.render(pages=pages, title=title, language=language)


def render_html(html: str) -> bytes:
    """One HTML document to PDF bytes, with our fetcher and the cached font configuration."""
    base = static_dir().as_uri() + "/"
    document = HTML(string=html, base_url=base, url_fetcher=StaticFetcher())
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet()], font_config=font_config())
    return pdf


def render_chunk(pages: Sequence[Page], title: str, language: str) -> bytes:
    """Some pages of a job to PDF bytes (run in a worker process)."""
    return render_html(html_of(pages, title, language))


def warm_up() -> None:
    """Load the fonts and the template before the first real chunk (each worker calls it on start)."""
    font_config()
    stylesheet()
    environment().get_template("badges/print.html")
