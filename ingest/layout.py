"""Lines of a PDF page with their look: font size, weight and position, in reading order.

The text stream alone cannot tell a heading from a sentence, a footnote from the body
it interrupts, or a running header from the first line of a page; the page's layout can.
pdfium (through pypdfium2) gives every character's box, baseline, font size and weight,
from which `ingest.pdf_chars` builds lines, keeping superscript markers from gluing to
words; this module orders two-column pages column by column, marks the lines inside
figures, and drops what repeats at the page edges.
It runs inside the PDF reader's child process (`ingest.loaders`), so its input is
untrusted and its limits are that process's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import pypdfium2
import pypdfium2.raw as pdfium_c

from ingest.pdf_chars import as_line, line_runs, page_chars
from ingest.pdf_line import Line

# Share of the page height at the top and bottom where running headers, footers and page
# numbers live.
EDGE_BAND = 0.12
# Figures: embedded images and drawings looked for this deep in nested form objects,
# counted when at least this share of the page's width and height, and at most this
# share of its area (a larger one wraps the whole page).
FIGURE_DEPTH = 3
FIGURE_MIN_SIDE = 0.06
FIGURE_MAX_AREA = 0.5
# The first line of a figure's or table's caption.
CAPTION_START = re.compile(
    r"^(Figure|Fig\.|Table|Tab\.|Algorithm|Listing|Chart|Exhibit)\s*[A-Z]?\d+(\.\d+)*\s*[:.|]"
)
PAGE_NUMBER = re.compile(r"^(page\s*)?[\divxlc]{1,5}(\s*(of|/)\s*\d+)?$", re.I)


def reading_order(lines: list[Line], width: float) -> list[Line]:
    """Lines as one reads them: down the page, and in two-column parts left column first.

    A line that crosses the middle of the page (a title, a wide figure's caption) closes
    the columns above it; between two such lines the left column comes before the right.
    """
    mid = width / 2
    spans = sorted(lines, key=lambda ln: (ln.top, ln.x0))
    ordered: list[Line] = []
    band: list[Line] = []

    def flush() -> None:
        left = [ln for ln in band if ln.x1 <= mid + 2]
        right = [ln for ln in band if ln.x1 > mid + 2]
        for column, lines in ((1, left), (2, right)):
            for ln in lines:
                ln.column = column
            ordered.extend(lines)
        band.clear()

    for ln in by_rows(spans):
        if ln.x0 < mid - 2 and ln.x1 > mid + 2:
            flush()
            ordered.append(ln)
        else:
            band.append(ln)
    flush()
    return ordered


def by_rows(lines: Sequence[Line]) -> list[Line]:
    """Lines sorted top-down, those side by side on one row (names, cells) left to right."""
    out: list[Line] = []
    row: list[Line] = []
    for ln in sorted(lines, key=lambda ln: ln.top):
        if row and ln.top - row[0].top > 0.5 * row[0].size:
            out.extend(sorted(row, key=lambda r: r.x0))
            row = []
        row.append(ln)
    out.extend(sorted(row, key=lambda r: r.x0))
    return out


def page_lines(document: pypdfium2.PdfDocument) -> list[list[Line]]:
    """Every page's lines in reading order, running headers, footers and page numbers gone.

    Turned text (an arXiv stamp up the margin) is not part of the reading order: it
    comes last on its page as one `rotated` line in stream order, for the metadata.
    """
    pages: list[list[Line]] = []
    heights: list[float] = []
    for index in range(len(document)):
        page = document[index]
        width, height = page.get_size()
        chars = page_chars(page.get_textpage(), height)
        upright = [c for c in chars if abs(c.angle) <= 0.1 or c.generated]
        found = [ln for ln in (as_line(run, index) for run in line_runs(upright)) if ln is not None]
        boxes = _figure_boxes(page, width, height, found)
        for ln in found:
            x, y = (ln.x0 + ln.x1) / 2, (ln.top + ln.bottom) / 2
            ln.figure = any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in boxes)
        lines = reading_order(found, width)
        turned = "".join(c.text for c in chars if abs(c.angle) > 0.1 and not c.generated)
        if turned.strip():
            lines.append(Line(turned.strip(), index, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, rotated=True))
        pages.append(lines)
        heights.append(height)
    return drop_running_lines(pages, heights)


def _figure_boxes(
    page: pypdfium2.PdfPage, width: float, height: float, lines: list[Line]
) -> list[tuple[float, float, float, float]]:
    """Boxes (top-down) of the page's figures: images and embedded drawings (form objects).

    A box over most of the page is a wrapper around the whole page, and a small one (a
    logo, a stamp) holds no figure text, so neither counts; objects nested in such a
    wrapper do. An image is often larger
    than the part the page shows of it, so a box ends at the caption inside it.
    """
    kinds = [pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM]
    boxes = []
    outer = (0.0, 0.0, width, height)
    for obj in page.get_objects(filter=kinds, max_depth=FIGURE_DEPTH):
        left, bottom, right, top = obj.get_bounds()
        if obj.level == 0:
            outer = (left, bottom, right, top)
        elif not _inside((left, bottom, right, top), outer):
            continue
        w, h = right - left, top - bottom
        if w * h > FIGURE_MAX_AREA * width * height:
            continue
        if w < FIGURE_MIN_SIDE * width or h < FIGURE_MIN_SIDE * height:
            continue
        box_top, box_bottom = height - float(top), height - float(bottom)
        captions = [
            ln.top
            for ln in lines
            if CAPTION_START.match(ln.text)
            and box_top < ln.top < box_bottom
            and left <= (ln.x0 + ln.x1) / 2 <= right
        ]
        boxes.append((float(left), box_top, float(right), min(captions, default=box_bottom)))
    return boxes


def _inside(
    box: tuple[float, float, float, float], outer: tuple[float, float, float, float]
) -> bool:
    """Whether `box` lies within `outer` (a point of slack).

    pdfium gives an object nested in a form in the form's own space; one that does not
    fit in its page-level container is in such a space, and its box says nothing of
    where it is on the page.
    """
    return (
        box[0] >= outer[0] - 1
        and box[1] >= outer[1] - 1
        and box[2] <= outer[2] + 1
        and box[3] <= outer[3] + 1
    )


def _shape(text: str) -> str:
    """A line's text with its numbers blanked, so `4970` and `4971` footers compare equal."""
    return re.sub(r"\d+", "#", text.lower()).strip()


def drop_running_lines(pages: list[list[Line]], heights: list[float]) -> list[list[Line]]:
    """Remove lines at a page's top or bottom edge that repeat on other pages, or only number it.

    A running header or footer is what sits in the edge band of several pages with the
    same text up to its numbers; a page number is a lone number there.
    """

    def at_edge(ln: Line, height: float) -> bool:
        return ln.top < EDGE_BAND * height or ln.bottom > (1 - EDGE_BAND) * height

    seen: Counter[str] = Counter()
    for lines, height in zip(pages, heights, strict=True):
        seen.update({_shape(ln.text) for ln in lines if at_edge(ln, height)})
    repeated = {s for s, n in seen.items() if n >= 2 and len(pages) >= 3}
    return [
        [
            ln
            for ln in lines
            if ln.rotated
            or not (
                at_edge(ln, height)
                and (_shape(ln.text) in repeated or PAGE_NUMBER.fullmatch(ln.text))
            )
        ]
        for lines, height in zip(pages, heights, strict=True)
    ]
