"""Several PDFs (the workers' chunks) joined into one by pypdf, pages in order, under one title.

Only the pages and what they reach are copied: the chunks' outlines (WeasyPrint writes one for a heading)
are left behind, as the merged document is one job rather than the chunks it was laid out in.
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter


class Merger:
    """PDFs appended one by one, in order; the result is written by `bytes`."""

    def __init__(self, title: str) -> None:
        self._writer = PdfWriter()
        self._writer.add_metadata({"/Title": title, "/Producer": "WeasyPrint"})

    def add(self, document: bytes) -> None:
        self._writer.append(PdfReader(io.BytesIO(document)), import_outline=False)

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self._writer.write(out)
        return out.getvalue()
