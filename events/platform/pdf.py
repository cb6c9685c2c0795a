"""WeasyPrint for the events slice's documents (the results report, a person's data), reaching our own static
files and nothing else. Imported only when such a PDF is made: WeasyPrint takes most of a second to load."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any
from urllib.request import url2pathname

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

TYPES = {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml", ".woff2": "font/woff2"}


def static_dir() -> Path:
    return Path(str(resources.files("templates"))) / "static"


class StaticFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """Our own static files and nothing else: no name typed into a form can make the renderer fetch a URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file",))
        self._root = static_dir().resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("file:"):
            path = Path(url2pathname(url.removeprefix("file:").split("?")[0])).resolve()
            if path.is_relative_to(self._root) and path.is_file():
                content_type = TYPES.get(path.suffix, "application/octet-stream")
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})
        msg = f"not one of our static files: {url[:80]}"
        raise ValueError(msg)


def render(html: str) -> bytes:
    """HTML to PDF bytes (blocking: run it in a thread from a request)."""
    document = HTML(string=html, base_url=static_dir().as_uri() + "/", url_fetcher=StaticFetcher())
    pdf: bytes = document.write_pdf()
    return pdf
