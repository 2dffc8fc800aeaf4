"""A cited PDF page as the reader sees it: rendered, with the cited sentences boxed.

Pages are rendered with pdfium (pypdfium2) and the boxes come from the PDF's own
character positions, so a reader can see whether the text was extracted right. A
sentence is found on its page by its letters and digits alone, case folded and
compatibility-normalised: indexed text has had its line breaks, hyphenation and
ligatures undone, and the page's character stream has not. pdfium is not thread-safe,
so one lock guards every call into it.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from rag.errors import PageError

# A sentence not found whole is looked for in pieces of this many letters, each within
# GAP letters of the last (a footnote the text stream put into it), and kept when at
# least MIN_FOUND of it is found.
PIECE = 12
GAP = 800
MIN_FOUND = 0.8
HIGHLIGHT = (255, 200, 0, 110)
# A character this far (points) left of the last one's right edge starts a new line.
LINE_BACKSTEP = 2.0


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF points, measured from the page's top-left corner."""

    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Located:
    """Where one sentence stands on its page; no boxes when it was not found there."""

    text: str
    boxes: list[Box]


@dataclass(frozen=True)
class PageText:
    """A page's characters in the folded form sentences are searched in, and their boxes."""

    width: float
    height: float
    folded: str
    owner: list[int]
    boxes: list[tuple[float, float, float, float]]


def fold(text: str) -> str:
    """Letters and digits only, case folded, ligatures and accents taken apart (ﬁ, ä)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text).casefold() if c.isalnum())


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """The last `size` values used, the least recently used dropped first (not thread-safe)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The value, now counted as the most recently used; None if not kept."""
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        """Keep a value, dropping the least recently used one when full."""
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self.size:
            self._items.popitem(last=False)


class PdfPages:
    """Renders pages and finds sentences on them, keeping the last renders in memory."""

    def __init__(self, cache_size: int = 64) -> None:
        self._lock = threading.Lock()
        self._renders: Recent[tuple[str, int, int], Image.Image] = Recent(cache_size)
        self._texts: Recent[tuple[str, int], PageText] = Recent(cache_size)
        self._pngs: Recent[tuple[str, int, int, tuple[Box, ...]], bytes] = Recent(cache_size)

    def page_count(self, path: Path) -> int:
        """How many pages the PDF has."""
        with self._lock, _opened(path) as pdf:
            return len(pdf)

    def png(self, path: Path, page: int, width: int, boxes: Sequence[Box] = ()) -> bytes:
        """Page `page` (1-based) as a PNG `width` pixels wide, the boxes highlighted.

        The PNG itself is kept too: a reader turning back to a page gets it at once.
        """
        key = (str(path), page, width, tuple(boxes))
        with self._lock:
            cached = self._pngs.get(key)
        if cached is not None:
            return cached
        made = self._draw(path, page, width, boxes)
        with self._lock:
            self._pngs.put(key, made)
        return made

    def _draw(self, path: Path, page: int, width: int, boxes: Sequence[Box]) -> bytes:
        image = self._render(path, page, width).convert("RGBA")
        if boxes:
            size = self._page_text(path, page)
            scale = width / size.width
            overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
            draw = ImageDraw.Draw(overlay)
            for b in boxes:
                draw.rectangle(
                    (b.x0 * scale, b.y0 * scale, b.x1 * scale, b.y1 * scale), fill=HIGHLIGHT
                )
            image = Image.alpha_composite(image, overlay)
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG", optimize=False)
        return out.getvalue()

    def size(self, path: Path, page: int) -> tuple[float, float]:
        """The page's width and height in PDF points."""
        text = self._page_text(path, page)
        return text.width, text.height

    def locate(self, path: Path, page: int, sentences: Sequence[str]) -> list[Located]:
        """Each sentence's boxes on the page, one box per line it covers."""
        text = self._page_text(path, page)
        return [Located(s, _boxes(text, s)) for s in sentences]

    def _render(self, path: Path, page: int, width: int) -> Image.Image:
        key = (str(path), page, width)
        with self._lock:
            image = self._renders.get(key)
            if image is None:
                with _opened(path) as pdf:
                    sheet = _page(pdf, page)
                    image = sheet.render(scale=width / sheet.get_width()).to_pil()
                self._renders.put(key, image)
            return image

    def _page_text(self, path: Path, page: int) -> PageText:
        key = (str(path), page)
        with self._lock:
            found = self._texts.get(key)
            if found is None:
                with _opened(path) as pdf:
                    found = _read_text(_page(pdf, page))
                self._texts.put(key, found)
            return found


class _opened:
    """A PDF opened for one call and closed after it, its errors as `PageError`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pdf: pdfium.PdfDocument | None = None

    def __enter__(self) -> pdfium.PdfDocument:
        try:
            self.pdf = pdfium.PdfDocument(str(self.path))
        except pdfium.PdfiumError as exc:
            raise PageError(f"the PDF cannot be opened: {exc}") from exc
        return self.pdf

    def __exit__(self, *exc: object) -> None:
        if self.pdf is not None:
            self.pdf.close()


def _page(pdf: pdfium.PdfDocument, page: int) -> pdfium.PdfPage:
    count = len(pdf)
    if not 1 <= page <= count:
        raise PageError(f"page {page} is outside the PDF's {count} pages", page_count=count)
    try:
        return pdf[page - 1]
    except pdfium.PdfiumError as exc:
        raise PageError(f"page {page} cannot be read: {exc}") from exc


def _read_text(sheet: pdfium.PdfPage) -> PageText:
    """The page's characters folded, each folded character's source index, and the boxes."""
    width, height = sheet.get_size()
    textpage = sheet.get_textpage()
    raw = textpage.get_text_range()
    folded: list[str] = []
    owner: list[int] = []
    boxes: list[tuple[float, float, float, float]] = []
    for i, char in enumerate(raw):
        left, bottom, right, top = textpage.get_charbox(i)
        boxes.append((left, height - top, right, height - bottom))
        for c in fold(char):
            folded.append(c)
            owner.append(i)
    return PageText(width, height, "".join(folded), owner, boxes)


def _spans(text: PageText, sentence: str) -> list[tuple[int, int]]:
    """Folded stretches of the page that hold the sentence.

    Whole when it stands there letter for letter; otherwise piece by piece in reading
    order, skipping what the page has in between (a footnote the text stream put into
    the sentence, a marker the index dropped). Nothing when too little of it is found.
    """
    target = fold(sentence)
    if not target:
        return []
    at = text.folded.find(target)
    if at >= 0:
        return [(at, at + len(target))]
    pieces = [target[k : k + PIECE] for k in range(0, len(target), PIECE)]
    first = next((text.folded.find(p) for p in pieces[:2] if text.folded.find(p) >= 0), -1)
    if first < 0:
        return []
    found: list[tuple[int, int]] = []
    pos = first
    for piece in pieces:
        at = text.folded.find(piece, pos, pos + len(piece) + GAP)
        if at >= 0:
            found.append((at, at + len(piece)))
            pos = at + len(piece)
    matched = sum(b - a for a, b in found)
    return found if matched >= MIN_FOUND * len(target) else []


def _boxes(text: PageText, sentence: str) -> list[Box]:
    """One box per line the sentence's characters cover, in reading order."""
    chars = sorted({text.owner[k] for a, b in _spans(text, sentence) for k in range(a, b)})
    lines: list[list[float]] = []
    for i in chars:
        x0, y0, x1, y1 = text.boxes[i]
        if x1 <= x0 or y1 <= y0:
            continue
        last = lines[-1] if lines else None
        middle = (y0 + y1) / 2
        if last is not None and last[1] <= middle <= last[3] and x0 >= last[2] - LINE_BACKSTEP:
            last[1], last[2], last[3] = min(last[1], y0), max(last[2], x1), max(last[3], y1)
        else:
            lines.append([x0, y0, x1, y1])
    return [Box(*line) for line in lines]
