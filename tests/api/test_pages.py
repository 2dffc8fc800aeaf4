"""A paper's file and its pages: served, rendered, and the cited sentences boxed right."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pypdfium2 as pdfium
import pytest
from PIL import Image

from api.app import create_app
from api.pdf_pages import fold
from api.routes.pages import cited_sentences
from ingest.indexer import ingest
from rag.embeddings import SentenceTransformerEmbedder
from rag.pipeline import Pipeline
from rag.sentences import sentences
from rag.settings import Settings
from rag.store import ChunkStore
from rag.types import PassageInContext, ScoredPassage
from tests.conftest import CORPUS, free_port
from tests.utils.hostile_pdfs import REAL_PDFS
from tests.utils.pdfs import make_pdf
from tests.utils.servers import serving

BUILT_PAGES = [
    "Lighthouses guided ships along the rocky northern coast for two centuries. "
    "The keepers lit the lamps at dusk and trimmed the wicks at midnight.",
    "The last keeper left the island in 1962, when the light was automated. "
    "A small museum now shows the keepers' logbooks and the original lens.",
]
# Kinds of passage an answer never cites.
NOT_ANSWERS = ("references", "front", "table")
SENTENCES_PER_PAPER = 12
MIN_FOUND = 10
COVERED = 0.9


@pytest.fixture(scope="module")
def pages_settings(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Settings:
    root = tmp_path_factory.mktemp("pages")
    corpus = root / "corpus"
    corpus.mkdir()
    for pdf in REAL_PDFS:
        shutil.copy(pdf, corpus / pdf.name)
    make_pdf(corpus / "lighthouses.pdf", BUILT_PAGES, title="Lighthouse Keepers")
    make_pdf(corpus / "fragile.pdf", BUILT_PAGES[:1], title="A Fragile File")
    seed = sorted(CORPUS.glob("*.txt"))[0]
    shutil.copy(seed, corpus / "seed.txt")
    settings = Settings(_env_file=None, corpus_dir=corpus, data_dir=root / "data")
    assert not ingest(None, settings, embedder=embedder).failed
    return settings


@pytest.fixture(scope="module")
def client(
    pages_settings: Settings, embedder: SentenceTransformerEmbedder
) -> Iterator[httpx.Client]:
    app = create_app(pages_settings, Pipeline(pages_settings, embedder=embedder))
    with serving(app, free_port()) as url, httpx.Client(base_url=url, timeout=60) as c:
        yield c


def paper_chunks(settings: Settings, paper_id: str) -> list[tuple[str, str, range]]:
    """(chunk id, text, pages) of a paper's chunks that answers draw on, in reading order."""
    got = ChunkStore.open(settings).chunks.get(
        where={"paper_id": paper_id}, include=["documents", "metadatas"]
    )
    rows = zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)
    usable = [(cid, text, md) for cid, text, md in rows if md.get("kind") not in NOT_ANSWERS]
    usable.sort(key=lambda r: int(str(r[2]["ordinal"])))
    return [
        (cid, text or "", range(int(str(md["page"])), int(str(md["page_end"])) + 1))
        for cid, text, md in usable
    ]


def text_inside(path: Path, page: int, boxes: list[dict[str, float]]) -> list[str]:
    """What the PDF itself says lies inside each box (its own text positions)."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        sheet = pdf[page - 1]
        height = sheet.get_height()
        textpage = sheet.get_textpage()
        return [
            textpage.get_text_bounded(b["x0"], height - b["y1"], b["x1"], height - b["y0"])
            for b in boxes
        ]
    finally:
        pdf.close()


def covered_share(sentence: str, inside: list[str]) -> float:
    """Share of the sentence's letters and digits that the boxed text holds, in order."""
    target, boxed = fold(sentence), fold("".join(inside))
    hits, pos = 0, 0
    for c in target:
        at = boxed.find(c, pos)
        if at >= 0:
            hits, pos = hits + 1, at + 1
    return hits / max(len(target), 1)


def boxed_right(path: Path, page: int, located: dict[str, Any]) -> bool:
    """The boxes hold the sentence's letters, and each box holds mostly the sentence.

    Checked against what the PDF itself says lies inside each box. A box may also hold
    a footnote mark the index dropped from the sentence, but not another line's text.
    """
    inside = text_inside(path, page, located["boxes"])
    if not inside or covered_share(located["text"], inside) < COVERED:
        return False
    return all(covered_share(t, [located["text"]]) >= COVERED for t in inside)


PAPERS = [p.stem.lower().replace(".", "-") for p in REAL_PDFS] + ["lighthouses"]


@pytest.mark.parametrize("paper", PAPERS)
def test_cited_sentences_are_boxed_on_their_page(
    client: httpx.Client, pages_settings: Settings, paper: str
) -> None:
    path = next(
        p for p in pages_settings.corpus_dir.iterdir() if p.stem.lower().replace(".", "-") == paper
    )
    results: dict[str, bool] = {}
    for chunk_id, text, pages in paper_chunks(pages_settings, paper):
        wanted = {s for s in sentences(text) if len(s.split()) >= 8} - set(results)
        for page in pages:
            got = client.get(f"/papers/{paper}/pages/{page}/boxes", params={"chunk": chunk_id})
            assert got.status_code == 200, got.text
            for located in got.json()["sentences"]:
                if located["text"] in wanted and located["boxes"]:
                    right = boxed_right(path, page, located)
                    results[located["text"]] = results.get(located["text"], False) or right
        for missed in wanted - set(results):
            results[missed] = False
        if len(results) >= SENTENCES_PER_PAPER:
            break
    checked = list(results.values())[:SENTENCES_PER_PAPER]
    assert len(checked) >= min(SENTENCES_PER_PAPER, 3), results
    assert sum(checked) >= min(MIN_FOUND, len(checked)), results


def test_a_sentence_on_another_page_has_no_boxes_here(
    client: httpx.Client, pages_settings: Settings
) -> None:
    (chunk_id, _, pages), *_ = [
        c for c in paper_chunks(pages_settings, "lighthouses") if "1962" in c[1]
    ]
    assert list(pages) == [2]
    here = client.get("/papers/lighthouses/pages/2/boxes", params={"chunk": chunk_id}).json()
    there = client.get("/papers/lighthouses/pages/1/boxes", params={"chunk": chunk_id}).json()
    assert all(s["boxes"] for s in here["sentences"])
    assert not any(s["boxes"] for s in there["sentences"])
    assert here["width"] > 500 and here["height"] > 800


def test_the_page_image_is_highlighted_at_the_boxes(
    client: httpx.Client, pages_settings: Settings
) -> None:
    (chunk_id, _, _), *_ = [
        c for c in paper_chunks(pages_settings, "lighthouses") if "1962" in c[1]
    ]
    plain = client.get("/papers/lighthouses/pages/2.png", params={"width": 800})
    marked = client.get(
        "/papers/lighthouses/pages/2.png", params={"width": 800, "highlight": chunk_id}
    )
    assert plain.headers["content-type"] == marked.headers["content-type"] == "image/png"
    before, after = image_of(plain), image_of(marked)
    assert before.width == after.width == 800
    boxes = client.get("/papers/lighthouses/pages/2/boxes", params={"chunk": chunk_id}).json()
    box = boxes["sentences"][0]["boxes"][0]
    scale = 800 / boxes["width"]
    inside = [
        (x, y)
        for x in range(int(box["x0"] * scale) + 1, int(box["x1"] * scale))
        for y in range(int(box["y0"] * scale) + 1, int(box["y1"] * scale))
    ]
    # Where the page is white inside the box, the highlight has turned it yellow.
    white = [xy for xy in inside if min(pixel(before, xy)) > 245]
    yellow = [xy for xy in white if pixel(after, xy)[2] < 200 < pixel(after, xy)[0]]
    assert white and len(yellow) == len(white)
    centre = (int((box["x0"] + box["x1"]) / 2 * scale), int((box["y0"] + box["y1"]) / 2 * scale))
    assert pixel(before, centre) != pixel(after, centre)


def image_of(response: httpx.Response) -> Image.Image:
    """The PNG a response carries, as RGB."""
    return Image.open(io.BytesIO(response.content)).convert("RGB")


def pixel(image: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int]:
    """One pixel's red, green and blue."""
    r, g, b = image.getpixel(xy)  # type: ignore[misc]
    return int(r), int(g), int(b)


def test_a_passage_carries_its_pages_and_boxes(
    client: httpx.Client, pages_settings: Settings
) -> None:
    (chunk_id, _, _), *_ = [
        c for c in paper_chunks(pages_settings, "lighthouses") if "1962" in c[1]
    ]
    view = client.get(f"/passages/{chunk_id}").json()
    assert [p["page"] for p in view["pages"]] == [2]
    boxes = client.get("/papers/lighthouses/pages/2/boxes", params={"chunk": chunk_id}).json()
    assert view["pages"][0]["sentences"] == boxes["sentences"]
    seed_chunk = paper_chunks(pages_settings, "seed")[0][0]
    assert client.get(f"/passages/{seed_chunk}").json()["pages"] == []


def test_only_the_sentences_an_answer_quotes_are_marked(
    client: httpx.Client, pages_settings: Settings
) -> None:
    (chunk_id, _, _), *_ = [
        c for c in paper_chunks(pages_settings, "lighthouses") if "1962" in c[1]
    ]
    url = "/papers/lighthouses/pages/2/boxes"
    every = client.get(url, params={"chunk": chunk_id}).json()["sentences"]
    assert len(every) == 2
    quote = f"According to Lighthouse Keepers (p. 2): {every[0]['text']}"
    quoted = client.get(url, params={"chunk": chunk_id, "quote": quote}).json()["sentences"]
    assert [s["text"] for s in quoted] == [every[0]["text"]]
    unmatched = client.get(url, params={"chunk": chunk_id, "quote": "In other words."}).json()
    assert unmatched["sentences"] == every


def test_a_pdf_that_cannot_be_rendered_is_422_and_the_rest_keeps_working(
    client: httpx.Client, pages_settings: Settings
) -> None:
    (pages_settings.corpus_dir / "fragile.pdf").write_bytes(b"%PDF-1.7\n\x00 damaged beyond repair")
    broken = client.get("/papers/fragile/pages/1.png")
    assert broken.status_code == 422, broken.text
    assert broken.json()["error"] == "bad_document"
    assert "cannot be opened" in broken.json()["detail"]
    assert client.get("/papers/lighthouses/pages/1.png").status_code == 200
    assert client.get("/health").status_code == 200


def test_the_file_is_served_whole_or_in_ranges(
    client: httpx.Client, pages_settings: Settings
) -> None:
    data = (pages_settings.corpus_dir / "lighthouses.pdf").read_bytes()
    whole = client.get("/papers/lighthouses/file")
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["content-type"] == "application/pdf"
    assert 'filename="lighthouses.pdf"' in whole.headers["content-disposition"]
    part = client.get("/papers/lighthouses/file", headers={"Range": "bytes=10-109"})
    assert part.status_code == 206 and part.content == data[10:110]
    text = client.get("/papers/seed/file")
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")


def test_bad_page_requests_are_named(client: httpx.Client, pages_settings: Settings) -> None:
    other_chunk = paper_chunks(pages_settings, "seed")[0][0]
    cases: list[tuple[str, dict[str, str | int], int, str | None]] = [
        ("/papers/nobody/pages/1.png", {}, 404, "not_found"),
        ("/papers/lighthouses/pages/9.png", {}, 404, "not_found"),
        ("/papers/lighthouses/pages/1.png", {"width": 100}, 422, "invalid_input"),
        ("/papers/lighthouses/pages/1.png", {"width": 5000}, 422, "invalid_input"),
        ("/papers/lighthouses/pages/1.png", {"highlight": other_chunk}, 422, "invalid_input"),
        ("/papers/seed/pages/1.png", {}, 422, "not_a_pdf"),
        ("/papers/lighthouses/pages/1/boxes", {"chunk": other_chunk}, 422, "invalid_input"),
        ("/papers/lighthouses/file", {}, 200, None),
    ]
    for url, params, status, error in cases:
        got = client.get(url, params=params)
        assert got.status_code == status, (url, got.text)
        if error:
            assert got.json()["error"] == error, (url, got.text)
    outside = client.get("/papers/lighthouses/pages/9.png").json()
    assert "2 pages" in outside["detail"]


def test_a_quote_without_the_papers_citation_numbers_marks_the_sentence_that_has_them() -> None:
    text = "Readers use term definitions [44] and answers [23, 110]. Nothing else helps."
    passage = ScoredPassage(chunk_id="c", paper_id="p", title="T", page=1, page_end=1, text=text)

    class _OnePassage:
        def passage(self, chunk_id: str) -> PassageInContext:
            return PassageInContext(passage=passage, paper=None, before=None, after=None)

    quote = "According to T (p. 1): Readers use term definitions and answers."
    got = cited_sentences(cast(Pipeline, _OnePassage()), "p", "c", [quote])
    assert got == ["Readers use term definitions [44] and answers [23, 110]."]
