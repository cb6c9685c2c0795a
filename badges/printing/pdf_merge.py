"""Several PDFs made by WeasyPrint joined into one, without a general PDF library.

pypdf's append copies a page by walking and rebuilding every object it reaches, about 2.5 ms a page
(a tenth of what laying the page out costs, spent in the process that also waits for the workers). The
chunks come from our own workers, all written by pydyf in one known shape: the streams as plain
numbered objects, every other object in one compressed object stream, a cross-reference stream at the
end, one flat page tree. So the objects are read as they are, renumbered by an offset per chunk, the
pages hung under one page tree, and written out with a classic cross-reference table: about a tenth of
pypdf's time. A PDF in any other shape is refused (`UnexpectedShapeError`), and the caller merges with pypdf.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable

_HEADER = b"%PDF-1.7\n%\xf0\x9f\x96\xa4\n"
_REFERENCE = re.compile(rb"(\d+) 0 R")
# A literal string (balanced brackets, escapes) or a hex string is skipped whole, so that a reference
# inside a text (a title such as "(3 0 R)") is never renumbered; anything else that looks like one is.
_TOKEN = re.compile(rb"\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\)|<(?!<)[0-9A-Fa-f\s]*>|(\d+) 0 R")


class UnexpectedShapeError(ValueError):
    """The PDF is not in the shape pydyf writes: merge it another way."""


def _entry(dictionary: bytes, key: bytes) -> int:
    found = re.search(rb"/" + key + rb"\s+(\d+)(?!\d|\s+\d+\s+R)", dictionary)
    if not found:
        msg = f"no /{key.decode()} number"
        raise UnexpectedShapeError(msg)
    return int(found[1])


def _reference(dictionary: bytes, key: bytes) -> int:
    found = re.search(rb"/" + key + rb"\s+(\d+) 0 R", dictionary)
    if not found:
        msg = f"no /{key.decode()} reference"
        raise UnexpectedShapeError(msg)
    return int(found[1])


class _Reader:
    """The objects of one pydyf PDF: `objects` maps a number to the object's text (a stream's dictionary,
    then its data as it stands in the file)."""

    def __init__(self, data: bytes) -> None:
        if not data.startswith(b"%PDF-") or b"/Encrypt" in data[-2048:]:
            raise UnexpectedShapeError("not a plain PDF")
        self._data = data
        tail = data.rfind(b"startxref")
        if tail < 0:
            raise UnexpectedShapeError("no startxref")
        xref_number, xref_dict, xref_stream = self._stream_at(int(data[tail + 9 :].split()[0]))
        if b"/XRef" not in xref_dict or b"/Prev" in xref_dict:
            raise UnexpectedShapeError("not one cross-reference stream")
        widths = [int(w) for w in re.findall(rb"\d+", xref_dict.split(b"/W", 1)[1].split(b"]", 1)[0])]
        index = re.search(rb"/Index\s*\[\s*0\s+(\d+)\s*\]", xref_dict)
        if len(widths) != 3 or not index:
            raise UnexpectedShapeError("unusual cross-reference stream")
        self.root = _reference(xref_dict, b"Root")
        self.dropped = {xref_number}
        if b"/Info" in xref_dict:
            self.dropped.add(_reference(xref_dict, b"Info"))
        table = zlib.decompress(xref_stream)
        step = sum(widths)
        if len(table) < step * int(index[1]):
            raise UnexpectedShapeError("short cross-reference stream")
        self.objects: dict[int, bytes] = {}
        packed: dict[int, list[tuple[int, int]]] = {}  # object stream: [(index, number)]
        for number in range(int(index[1])):
            row = table[number * step : (number + 1) * step]
            kind = int.from_bytes(row[: widths[0]], "big") if widths[0] else 1
            first = int.from_bytes(row[widths[0] : widths[0] + widths[1]], "big")
            second = int.from_bytes(row[widths[0] + widths[1] :], "big")
            if kind == 1 and number != xref_number:
                object_number, dictionary, stream = self._stream_at(first)
                if object_number != number:
                    raise UnexpectedShapeError("cross-reference offset points elsewhere")
                self.objects[number] = dictionary + b"\nstream\n" + stream + b"\nendstream"
            elif kind == 2:
                packed.setdefault(first, []).append((second, number))
        for container, members in packed.items():
            self._unpack(container, members)

    def _stream_at(self, offset: int) -> tuple[int, bytes, bytes]:
        """The number, dictionary and raw data of the stream object at `offset`."""
        head = re.compile(rb"(\d+) 0 obj\n(<<.*?>>)\nstream\n", re.DOTALL).match(self._data, offset)
        if not head:
            raise UnexpectedShapeError("no stream object where the cross-reference says")
        dictionary = head[2]
        if re.search(rb"/Length\s+\d+\s+0\s+R", dictionary):
            raise UnexpectedShapeError("indirect stream length")
        start = head.end()
        end = start + _entry(dictionary, b"Length")
        if self._data[end : end + 10] != b"\nendstream":
            raise UnexpectedShapeError("stream length does not match")
        return int(head[1]), dictionary, self._data[start:end]

    def _unpack(self, container: int, members: list[tuple[int, int]]) -> None:
        stream = self.objects.pop(container, None)
        if stream is None:
            raise UnexpectedShapeError("missing object stream")
        dictionary = stream.split(b"\nstream\n", 1)[0]
        if b"/ObjStm" not in dictionary or b"/FlateDecode" not in dictionary or b"/DecodeParms" in dictionary:
            raise UnexpectedShapeError("unusual object stream")
        self.dropped.add(container)
        body = zlib.decompress(stream[len(dictionary) + 8 : -10])
        first, count = _entry(dictionary, b"First"), _entry(dictionary, b"N")
        pairs = [int(n) for n in body[:first].split()]
        if len(pairs) != 2 * count:
            raise UnexpectedShapeError("object stream header")
        offsets = [*pairs[1::2], len(body) - first]
        for index, number in members:
            if index >= count or pairs[2 * index] != number:
                raise UnexpectedShapeError("object stream index")
            self.objects[number] = body[first + offsets[index] : first + offsets[index + 1]].strip()

    def pages(self) -> tuple[int, list[int]]:
        """The page tree's number and its pages in order (pydyf writes one flat tree)."""
        catalog = self.objects.get(self.root, b"")
        tree = _reference(catalog, b"Pages")
        node = self.objects.get(tree, b"")
        kids = node.split(b"/Kids", 1)[1].split(b"]", 1)[0] if b"/Kids" in node else b""
        pages = [int(n) for n in _REFERENCE.findall(kids)]
        if not pages or _entry(node, b"Count") != len(pages):
            raise UnexpectedShapeError("not one flat page tree")
        for page in pages:
            if b"/Type /Pages" in self.objects.get(page, b"/Type /Pages"):
                raise UnexpectedShapeError("nested page tree")
        return tree, pages


class Merger:
    """PDFs appended one by one, in order; the result is written by `bytes`."""

    def __init__(self, title: str) -> None:
        self._title = title
        self._objects: list[bytes] = []  # object 1 is the catalog, 2 the page tree, 3 the information
        self._pages: list[int] = []

    def add(self, document: bytes) -> None:
        reader = _Reader(document)
        tree, pages = reader.pages()
        base = 4 + len(self._objects)  # numbers 1 to 3: catalog, page tree, information
        numbers: dict[int, int] = {}
        texts: dict[int, bytes] = {}
        # Only what the pages reach: the catalog, the outline and the like are left behind.
        todo = list(reversed(pages))
        while todo:
            number = todo.pop()
            if number in numbers or number == tree:
                continue
            if number in reader.dropped or number not in reader.objects:
                raise UnexpectedShapeError("a page refers to a missing object")
            numbers[number] = base + len(numbers)
            text = reader.objects[number]
            head = text.split(b"\nstream\n", 1)[0]
            todo.extend(int(n) for n in reversed(_REFERENCE.findall(head)) if int(n) not in numbers)
            texts[number] = text
        mapping = {**numbers, tree: 2}

        def renumber(match: re.Match[bytes]) -> bytes:
            if match[1] is None:
                return match[0]
            return b"%d 0 R" % mapping[int(match[1])]

        for number in sorted(numbers, key=numbers.__getitem__):
            text = texts[number]
            head, stream, rest = text.partition(b"\nstream\n")
            self._objects.append(_TOKEN.sub(renumber, head) + stream + rest)
        self._pages.extend(numbers[page] for page in pages)

    def bytes(self) -> bytes:
        kids = b" ".join(b"%d 0 R" % page for page in self._pages)
        objects: Iterable[bytes] = (
            b"<</Type /Catalog/Pages 2 0 R>>",
            b"<</Type /Pages/Kids [" + kids + b"]/Count %d>>" % len(self._pages),
            b"<</Title " + _string(self._title) + b"/Producer (WeasyPrint)>>",
            *self._objects,
        )
        out = [_HEADER]
        offsets = []
        position = len(_HEADER)
        for number, text in enumerate(objects, start=1):
            chunk = b"%d 0 obj\n%s\nendobj\n" % (number, text)
            offsets.append(position)
            position += len(chunk)
            out.append(chunk)
        out.append(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
        out.append(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
        out.append(
            b"trailer\n<</Size %d/Root 1 0 R/Info 3 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, position)
        )
        return b"".join(out)


def _string(text: str) -> bytes:
    """A PDF text string: literal for ASCII, else UTF-16 with its byte order mark, in hexadecimal."""
    if text.isascii():
        return b"(" + re.sub(rb"([\\()])", rb"\\\1", text.encode()) + b")"
    return b"<feff" + text.encode("utf-16-be").hex().encode() + b">"
