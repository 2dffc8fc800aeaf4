"""Questions about a paper itself: who wrote it, when and where it appeared.

Their answer is the paper's metadata (its `papers.toml` entry, a reference-manager
export, or what the paper prints on its first page), not a sentence of its body: a
paper rarely says who wrote it anywhere a passage search would find, and its title block
is indexed as `front`, which never becomes an answer sentence. The answer names the
paper and cites its title block (or, where ingest kept none, its first passage).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from langchain_core.documents import Document

from rag import wording
from rag.answering.composition import EXTRACTIVE, refusal, to_citation
from rag.answering.question import Question
from rag.retrieval import as_passage
from rag.snapshot import IndexSnapshot
from rag.types import ANSWER_KINDS, Answer, Citation, PaperMeta, ScoredPassage

Fact = Literal["authors", "year", "venue"]

# At most this many chunks of a title block are cited.
MAX_BLOCK_CHUNKS = 6

# Each asks for one fact of a paper, from the question's opening words on, so that "what
# do the authors of X propose?" stays a question about X's content.
ASKS: tuple[tuple[Fact, re.Pattern[str]], ...] = (
    (
        "authors",
        re.compile(
            r"^\s*(who\b.*\b(wrote|writes|authored|authors?|created|developed)\b|"
            r"(name|list|give)\b.*\bauthors?\b|"
            r"(what|which) (are|were|is) the (names? of the )?authors?\b|"
            r"(what|which) authors? (wrote|writes|worked on|(appears?|is|are|was|were)\b.*"
            r"\b((on|in|of) (both|all|each|every|these|those|the (two|three|four|five))|"
            r"shared|common)\b)"
            r"(?!.*\b(cited|citing|cites?|mentioned|referenced|quoted|discussed)\b))",
            re.I,
        ),
    ),
    (
        "year",
        re.compile(
            r"^\s*(when|(in )?(what|which) year)\b.*\b(published|written|released|appeared|"
            r"presented|come out|came out)\b",
            re.I,
        ),
    ),
    (
        "venue",
        re.compile(
            r"^\s*((where|(in|at) (which|what)|which|what)\b.*\b(venue|conference|journal|"
            r"workshop|proceedings)\b|where\b.*\b(published|presented|appeared)\b)",
            re.I,
        ),
    ),
)


@dataclass(frozen=True)
class FactAnswer:
    """The sentence that answers, or (`sentence` None) what the paper does not say."""

    sentence: str | None
    missing: str | None = None


def asked_fact(question: str) -> Fact | None:
    """The fact of a paper the question asks for, if it asks for one."""
    return next((fact for fact, form in ASKS if form.search(question)), None)


def title_block(snapshot: IndexSnapshot, paper_id: str) -> list[Document]:
    """The paper's title block (its `front` chunks of the first page), else its first chunk.

    The block may be chunked apart (title, then author lines), and the answer needs all
    of it to show where each name comes from.
    """
    front = [snapshot.docs[i] for i in snapshot.mask(("front",), [paper_id]).nonzero()[0]]
    first = min((int(d.metadata.get("page", 1)) for d in front), default=None)
    block = [d for d in front if int(d.metadata.get("page", 1)) == first][:MAX_BLOCK_CHUNKS]
    if block:
        return sorted(block, key=lambda d: int(d.metadata.get("ordinal", 0)))
    body = [snapshot.docs[i] for i in snapshot.mask(ANSWER_KINDS, [paper_id]).nonzero()[0]]
    return sorted(body, key=lambda d: int(d.metadata.get("ordinal", 0)))[:1]


def names(people: tuple[str, ...]) -> str:
    """`A`, `A and B`, `A, B and C`: a list of names as a sentence holds it."""
    return people[0] if len(people) == 1 else f"{', '.join(people[:-1])} and {people[-1]}"


def answer_fact(fact: Fact, meta: PaperMeta) -> FactAnswer:
    """One sentence stating `fact` of the paper, or what the paper does not say."""
    title = meta.title
    if fact == "authors":
        if not meta.authors:
            return FactAnswer(None, wording.NO_AUTHORS.format(title=title))
        return FactAnswer(wording.WRITTEN_BY.format(title=title, names=names(meta.authors)))
    if fact == "year":
        if meta.year is None:
            return FactAnswer(None, wording.NO_YEAR.format(title=title))
        where = f" ({meta.venue})" if meta.venue else ""
        return FactAnswer(wording.PUBLISHED_IN.format(title=title, year=meta.year, where=where))
    if meta.venue is None:
        return FactAnswer(None, wording.NO_VENUE.format(title=title))
    when = f", {meta.year}" if meta.year else ""
    return FactAnswer(wording.APPEARED_IN.format(title=title, venue=meta.venue, when=when))


def shared_authors(metas: Sequence[PaperMeta]) -> tuple[str, ...]:
    """Who is an author of every one of these papers, as the first paper names them."""
    if not metas:
        return ()
    keys = [{" ".join(a.casefold().split()) for a in m.authors} for m in metas]
    common = set.intersection(*keys)
    return tuple(a for a in metas[0].authors if " ".join(a.casefold().split()) in common)


def _lead(shared: tuple[str, ...], blocks: list[list[Citation]]) -> str:
    """The sentence leading several papers' authors, cited where each block names them.

    A block's passages that hold a shared author's surname are cited, else its first.
    """
    if not shared:
        return f"{wording.NO_SHARED_AUTHOR} [{', '.join(str(b[0].n) for b in blocks)}]"
    surname = re.compile("|".join(rf"\b{re.escape(n.split()[-1])}\b" for n in shared), re.I)
    marks = []
    for block in blocks:
        naming = [c.n for c in block if surname.search(c.text)]
        marks += naming or [block[0].n]
    form = wording.SHARED_AUTHOR if len(shared) == 1 else wording.SHARED_AUTHORS
    return f"{form.format(names=names(shared))} [{', '.join(map(str, marks))}]"


def fact_answer(
    q: Question, scope: Sequence[str] | None, snapshot: IndexSnapshot
) -> tuple[Answer, list[ScoredPassage]] | None:
    """A question about the authors, year or venue of the papers it names, from their metadata.

    The papers are those the question (or its scope) names: "Who wrote <a work the paper
    cites>?" names no indexed paper, and is answered from the passages. Each paper's
    sentence cites its title block, or its first passage where ingest kept none; several
    papers' authors are led by who is on all of them ("Which author appears on all
    three?"), cited to every block.
    """
    fact = asked_fact(q.text)
    if fact is None or not scope:
        return None
    blocks = [(pid, [as_passage(d) for d in title_block(snapshot, pid)]) for pid in scope]
    blocks = [(pid, passages) for pid, passages in blocks if passages]
    if not blocks:
        return None
    passages = [p for _, own in blocks for p in own]
    cited = [to_citation(n, p) for n, p in enumerate(passages, start=1)]
    told: list[str] = []
    missing: list[str] = []
    by_block: list[list[Citation]] = []
    for _, own in blocks:
        start = sum(len(b) for b in by_block)
        by_block.append(cited[start : start + len(own)])
    for (pid, _), block in zip(blocks, by_block, strict=True):
        marks = ", ".join(str(c.n) for c in block)
        fact_of = answer_fact(fact, snapshot.papers[pid].meta)
        if fact_of.sentence is None:
            missing.append(fact_of.missing or "")
            told.append(f"{fact_of.missing}. [{marks}]")
        else:
            told.append(f"{fact_of.sentence} [{marks}]")
    if len(missing) == len(told):
        return refusal("; ".join(missing), passages), passages
    metas = [snapshot.papers[pid].meta for pid, _ in blocks]
    if fact == "authors" and len(blocks) > 1 and all(m.authors for m in metas):
        told.insert(0, _lead(shared_authors(metas), by_block))
    answer = Answer(answer="\n\n".join(told), answered=True, citations=cited, backend=EXTRACTIVE)
    return answer, passages
