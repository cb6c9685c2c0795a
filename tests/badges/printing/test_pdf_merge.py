"""Joining the workers' chunks (pypdf): pages in order under one title, the chunks' outlines left behind,
and a PDF in any other shape goes through pypdf as well."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter

from badges.printing import pdf_merge
from badges.printing.pdf import merge
from badges.printing.pdf_worker import render_html

PAGE = '<div style="break-after: page">{text}</div>'


def _document(texts: list[str], title: str = "chunk") -> bytes:
    pages = "".join(PAGE.format(text=t) for t in texts)
    # A heading makes WeasyPrint write an outline, which the merged document leaves out.
    return render_html(f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{pages}</body></html>")


def _texts(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    return [page.extract_text().strip() for page in reader.pages]


def test_chunks_join_in_order_with_the_title_and_nothing_left_dangling() -> None:
    title = "Badges (3 0 R) – Ölçer محمد"
    first = _document(["Ronde 1", "Ronde 2"], "één (1 0 R)")
    second = _document(["Ronde 3"], "twee")

    merged = pdf_merge.Merger(title)
    merged.add(first)
    merged.add(second)
    data = merged.bytes()

    reader = PdfReader(io.BytesIO(data), strict=True)
    assert reader.metadata is not None
    assert reader.metadata.title == title
    assert reader.outline == []
    texts = _texts(data)
    assert [t.split("\n")[-1] for t in texts] == ["Ronde 1", "Ronde 2", "Ronde 3"]
    assert texts == _texts(_pypdf_merge([first, second]))
    # Every page hangs under the one page tree.
    assert all(page["/Parent"].get_object()["/Count"] == 3 for page in reader.pages)


def test_an_ascii_title_with_brackets_and_backslashes_reads_back() -> None:
    merged = pdf_merge.Merger("Badges (a) \\ b)")
    merged.add(_document(["x"]))

    metadata = PdfReader(io.BytesIO(merged.bytes()), strict=True).metadata

    assert metadata is not None
    assert metadata.title == "Badges (a) \\ b)"


def test_a_pdf_in_another_shape_goes_through_pypdf() -> None:
    ours = _document(["Tafel 1"])
    foreign = _pypdf_merge([_document(["Tafel 2"])])  # written by pypdf: no object streams

    data = merge([ours, foreign, ours], "mixed")

    assert [t.split("\n")[-1] for t in _texts(data)] == ["Tafel 1", "Tafel 2", "Tafel 1"]


def _pypdf_merge(documents: list[bytes]) -> bytes:
    writer = PdfWriter()
    for document in documents:
        writer.append(PdfReader(io.BytesIO(document)), import_outline=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
