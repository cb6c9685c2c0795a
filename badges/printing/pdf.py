"""Render print pages to one PDF: split into chunks, laid out on every core, joined (badges.printing.pdf_merge).

WeasyPrint lays out about 30 small badge pages a second on one core; a process pool with a worker per
core and chunks of a few sheets each, merged at the end, keeps both cores busy and lets the caller show
progress chunk by chunk. A small job (one chunk) is rendered in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from badges.printing.sheets import Page

if TYPE_CHECKING:
    from badges.printing.pdf_merge import Merger

# Pages per chunk: a document costs next to nothing beyond its pages, so chunks are small (a few
# sheets): the workers finish together, progress moves often, and merging keeps up with them.
CHUNK_PAGES = 8
Progress = Callable[[int, int], None]  # (pages done, pages in all)


def workers_available() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def chunks(pages: Sequence[Page], size: int = CHUNK_PAGES) -> list[Sequence[Page]]:
    """Consecutive runs of pages; a badge sheet's fronts and backs stay together (sizes are even)."""
    return [pages[i : i + size] for i in range(0, len(pages), size)]


def _context() -> Any:
    """Fork from a single-threaded process (the CLI: workers start at once with everything loaded); from
    the web server, which has threads (a lock held by one would stay held in a forked child), a fork
    server that loaded WeasyPrint once starts the workers."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        from badges.printing import pdf_worker  # loaded before the fork, so that every worker shares it

        pdf_worker.warm_up()
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["badges.printing.pdf_worker"])
    return context


def _start_worker() -> None:
    from badges.printing import pdf_worker

    pdf_worker.warm_up()


def render(
    pages: Sequence[Page],
    *,
    title: str,
    language: str,
    workers: int | None = None,
    progress: Progress | None = None,
) -> bytes:
    """The pages as one PDF, in order."""
    from badges.printing import pdf_worker

    parts = chunks(pages)
    total = len(pages)
    count = min(workers or workers_available(), len(parts))
    if count <= 1:
        done = 0
        outputs = []
        for part in parts:
            outputs.append(pdf_worker.render_chunk(part, title, language))
            done += len(part)
            if progress:
                progress(done, total)
        return merge(outputs, title)
    from badges.printing.pdf_merge import Merger

    merged = Merger(title)
    # Forked workers inherit this process's objects. Frozen, they are out of reach of the workers'
    # garbage collector, which would otherwise walk them all (and copy their memory pages) again and again:
    # after a big job in this process (the bench's one-pass render: 700,000 objects) that cost the
    # workers a quarter more CPU.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=count, mp_context=_context(), initializer=_start_worker) as pool:
            pending: dict[Future[bytes], int] = {
                pool.submit(pdf_worker.render_chunk, part, title, language): i for i, part in enumerate(parts)
            }
            gc.unfreeze()  # every worker has started by now (forked ones all at the first submit)
            _collect(pending, parts, merged, total, progress)
    finally:
        gc.unfreeze()
    return merged.bytes()


def _collect(
    pending: dict[Future[bytes], int],
    parts: list[Sequence[Page]],
    merged: Merger,
    total: int,
    progress: Progress | None,
) -> None:
    """Wait for the chunks; join those next in order as they come, while the workers lay out the rest."""
    results: dict[int, bytes] = {}
    done = joined = 0
    while pending:
        finished, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            index = pending.pop(future)
            results[index] = future.result()
            done += len(parts[index])
        while joined in results:
            merged.add(results.pop(joined))
            joined += 1
        if progress:
            progress(done, total)


def merge(documents: Sequence[bytes], title: str = "") -> bytes:
    """Several PDFs as one, pages in order."""
    from badges.printing.pdf_merge import Merger

    if len(documents) == 1:
        return documents[0]
    merged = Merger(title)
    for document in documents:
        merged.add(document)
    return merged.bytes()
