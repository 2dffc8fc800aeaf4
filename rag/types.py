"""The pipeline's stage types: `Document -> list[Chunk] -> list[ScoredPassage] -> Answer`.

Ingest cleans a file into a `Document` and cuts it into `Chunk`s; retrieval ranks the
stored chunks as `ScoredPassage`s; answering gives an `Answer` whose `Citation`s point
at them. Between store and retrieval a chunk travels as LangChain's `Document` (text
plus flat metadata), which is the retrievers' currency and not this module's `Document`.
The catalog's types (`PaperMeta`, what is known about a paper; `PaperRecord`, what the
index remembers of it) and the bounds of a request are here too: they are what the edges
hand the core and read back.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from rag import wording
from rag.sentences import sentences, without_citation_numbers

# The bounds of a request, checked by `Pipeline` and declared from here in the API schemas.
MAX_QUESTION_CHARS = 2000
MIN_TOP_K, MAX_TOP_K = 1, 20
MAX_HISTORY_TURNS = 20
TOP_K_HELP = (
    f"Most passages to retrieve, {MIN_TOP_K} to {MAX_TOP_K}; fewer when the rest are far less "
    "similar to the question than the best one (RAG_MIN_SIMILARITY_RATIO)."
)
# What a paper's reference can be exported as (`Pipeline.cite`), and each format's media type.
CitationFormat = Literal["bibtex", "ris", "csl-json"]
CITATION_FORMATS: tuple[str, ...] = get_args(CitationFormat)
CITATION_MEDIA_TYPES: dict[str, str] = {
    "bibtex": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "csl-json": "application/vnd.citationstyles.csl+json",
}
# How a text export marks its pages, beside form feeds and running headers.
PageStart = Literal["formfeed", "indent"]
# The venue of a paper known only as an arXiv preprint.
ARXIV_VENUE = "arXiv"


@dataclass(frozen=True)
class Upload:
    """A paper as received: its file name and bytes, and what the uploader says about it."""

    filename: str
    data: bytes
    title: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None


@dataclass
class IndexCheck:
    """The index self-check: sampled chunks that their own vector finds, and the rest."""

    sampled: int = 0
    found: int = 0
    missing: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Every sampled chunk was found and the index could be read."""
        return self.error is None and not self.missing


@dataclass(frozen=True)
class Health:
    """Whether questions can be answered now, and why not; `check` after a deep look."""

    ready: bool
    status: str
    papers: int = 0
    chunks: int = 0
    check: IndexCheck | None = None


class PaperMeta(BaseModel):
    """What is known about a paper; unknown fields stay None rather than being guessed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)
    title: str
    authors: tuple[str, ...] = ()
    affiliation: str | None = None
    venue: str | None = None
    volume: str | None = None
    issue: str | None = None
    year: int | None = None
    date: str | None = None
    first_page: int | None = Field(None, ge=1)
    sections: tuple[str, ...] = ()
    source: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    abstract: str | None = None
    page_start: PageStart = Field(
        "formfeed",
        description="How a text export marks a new page beside form feeds and running "
        'headers: "indent" when a line that starts with a space begins one.',
    )

    def printed_page(self, page_index: int) -> str | None:
        """The journal's page number for a 0-based page index, when the first page is known."""
        return None if self.first_page is None else str(self.first_page + page_index)

    @property
    def authors_text(self) -> str:
        """Authors joined for display and for flat metadata stores."""
        return "; ".join(self.authors)


class PaperRecord(BaseModel):
    """What the index remembers about an indexed paper, to skip or replace it later."""

    meta: PaperMeta
    content_hash: str
    chunk_count: int
    pages: int
    file_hash: str | None = Field(
        None, description="Hash of the file's bytes alone; absent in records of older indexes."
    )

    def to_json(self) -> str:
        """Serialised form kept beside the chunks in the store."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, raw: str) -> PaperRecord:
        """Inverse of `to_json`."""
        return cls.model_validate(json.loads(raw))


ChunkKind = Literal["body", "footnote", "abstract", "caption", "table", "references", "front"]
# Kinds whose sentences may become answer sentences; the others (reference lists, table
# cells, title-page front matter) stay searchable through an explicit kinds filter only.
ANSWER_KINDS: tuple[ChunkKind, ...] = ("body", "abstract", "footnote", "caption")
CHUNK_KINDS: tuple[str, ...] = get_args(ChunkKind)
# A `table` chunk is one line per row, its cells joined by this.
TABLE_CELL_SEPARATOR = " | "


@dataclass(frozen=True)
class Footnote:
    """A footnote's text, kept apart from the body so it never splits a sentence.

    `number` is None for a footnote marked by a sign (`∗`), which its text then starts with.
    """

    number: int | None
    text: str
    page: int
    anchor: int


@dataclass(frozen=True)
class Aside:
    """A caption or table: kept out of the running text, anchored where it was printed."""

    kind: ChunkKind
    text: str
    page: int
    anchor: int


@dataclass
class Document:
    """A paper's cleaned text and where its pages, sections and kinds start (body offsets).

    What chunking cuts; ingest's `CleanDocument` adds what only its cleaning needs.
    """

    body: str
    page_offsets: list[tuple[int, int]]
    sections: list[tuple[int, str | None]]
    footnotes: list[Footnote]
    page_count: int
    page_labels: tuple[str, ...] = ()
    kinds: list[tuple[int, ChunkKind]] = field(default_factory=list)
    asides: list[Aside] = field(default_factory=list)

    def page_at(self, offset: int) -> int:
        """0-based page index of the body character at `offset`."""
        starts = [o for o, _ in self.page_offsets]
        i = bisect_right(starts, offset) - 1
        return self.page_offsets[i][1] if i >= 0 else 0

    def section_at(self, offset: int) -> str | None:
        """Heading of the section the body character at `offset` is in, if it has one."""
        starts = [o for o, _ in self.sections]
        i = bisect_right(starts, offset) - 1
        return self.sections[i][1] if i >= 0 else None

    def kind_at(self, offset: int) -> ChunkKind:
        """Kind of the body text at `offset`: body, unless the layout said otherwise."""
        starts = [o for o, _ in self.kinds]
        i = bisect_right(starts, offset) - 1
        return self.kinds[i][1] if i >= 0 else "body"

    def blocks(self) -> list[tuple[int, int]]:
        """(start, end) spans that no chunk should cross: sections, kinds, paragraphs."""
        cuts = sorted(
            {0, len(self.body), *(o for o, _ in self.sections), *(o for o, _ in self.kinds)}
        )
        cuts += [m.end() for m in re.finditer(r"\n\n", self.body)]
        cuts = sorted(set(cuts))
        spans = []
        for a, b in pairwise(cuts):
            text = self.body[a:b]
            lead = len(text) - len(text.lstrip())
            trail = len(text.rstrip())
            if trail > lead:
                spans.append((a + lead, a + trail))
        return spans


class Chunk(BaseModel):
    """A retrievable piece of one paper, never cutting a sentence in two."""

    model_config = ConfigDict(frozen=True)

    id: str
    paper_id: str
    text: str
    kind: ChunkKind
    page: int
    page_end: int
    section: str | None
    start: int
    end: int
    ordinal: int
    page_label: str | None = Field(
        None, description="The paper's printed number for `page` (`iv`, `1650`) where it differs."
    )


class PassageRef(BaseModel):
    """What it takes to cite a passage: the paper, where in it, and the text."""

    chunk_id: str
    paper_id: str
    title: str
    authors: str = ""
    year: int | None = None
    page: int = Field(description="1-based page of the file, as a PDF viewer counts it.")
    page_label: str | None = Field(
        None,
        description="The page as the paper prints it (the PDF's own label, or counted from "
        "the catalog's `first_page`), where that differs from `page`.",
    )
    section: str | None = None
    text: str

    @property
    def printed_page(self) -> str:
        """The page a reader looks up in the paper: what it prints, else the file's page."""
        return self.page_label or str(self.page)

    def sentences(self) -> list[str]:
        """The passage's sentences, split as answers quote them (for highlighting)."""
        return sentences(self.text)

    def quoted_forms(self) -> list[tuple[str, str]]:
        """Each sentence with the form an answer quotes it in, its citation numbers left out.

        Highlighting matches an answer's text to the sentences it came from, and an
        answer leaves out the paper's own `[44]`.
        """
        return [(s, without_citation_numbers(s)) for s in self.sentences()]


class ScoredPassage(PassageRef):
    """A retrieved chunk with its scores and everything needed to cite it."""

    page_end: int
    kind: str = "body"
    ordinal: int = 0
    score: float = 0.0
    dense: float | None = None
    bm25: float | None = None


class PassageInContext(BaseModel):
    """A stored passage with its paper and the texts stored just before and after it."""

    passage: ScoredPassage
    paper: PaperRecord | None = None
    before: str | None = None
    after: str | None = None


class Citation(PassageRef):
    """What one `[n]` marker points at: a passage of a named paper and page."""

    n: int


class Retrieved(PassageRef):
    """A passage retrieval ranked for the question, cited or not, so callers can audit it."""

    rank: int
    score: float


class Turn(BaseModel):
    """One earlier message of a conversation, so a follow-up question can be understood."""

    role: Literal["user", "assistant"]
    content: str = Field(max_length=20000)


class Evidence(BaseModel):
    """What the refusal weighed: how close the passages are and what of the question they say.

    Kept on the answer so a refusal can be audited, and so its cut-offs can be fitted on
    an eval set's answers (`eval.refusal_fit`) without asking anything twice.
    """

    best_dense: float = Field(description="Cosine similarity of the closest passage.")
    term_coverage: float = Field(description="Share of the question's terms in the passages.")
    known_terms: float = Field(description="Share of the question's terms the index knows.")
    missing_keys: list[str] = Field(
        default_factory=list, description="The question's names and numbers no passage holds."
    )
    unknown_keys: list[str] = Field(
        default_factory=list, description="Those of them the papers never mention at all."
    )
    unknown_terms: list[str] = Field(
        default_factory=list, description="The question's terms the index does not know."
    )
    form_stated: bool = Field(
        True, description="Whether a sentence gives the date, count or amount asked for."
    )
    sentences: int = Field(0, description="How many sentences the answer would be made of.")


class Answer(BaseModel):
    """An answer whose sentences come from cited passages, or a plain refusal."""

    answer: str
    answered: bool
    citations: list[Citation] = Field(default_factory=list)
    related: list[Citation] = Field(default_factory=list)
    retrieved: list[Retrieved] = Field(default_factory=list)
    unsupported: list[str] = Field(default_factory=list)
    backend: str
    fallback_reason: str | None = None
    timings_ms: dict[str, float] = Field(default_factory=dict)
    evidence: Evidence | None = None

    @property
    def sources(self) -> list[Citation]:
        """What a reader is shown under the answer: its citations, or a refusal's closest."""
        return self.citations or self.related

    @property
    def sources_heading(self) -> str:
        """The heading over `sources`, one of `SOURCE_HEADINGS`."""
        return wording.SOURCES_HEADING if self.answered else wording.CLOSEST_HEADING


# The headings an answer's sources are shown under, in every client that lists them.
SOURCE_HEADINGS = (wording.SOURCES_HEADING, wording.CLOSEST_HEADING)
