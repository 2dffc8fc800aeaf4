"""The default backend: answer with the retrieved sentences themselves, no language model.

It never writes a sentence of its own apart from the attribution phrase, so every
sentence of its answer is in a cited passage by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer import Citation
from rag.models import PassageRef
from rag.retrieval import ScoredPassage
from rag.sentences import sentences
from rag.terms import content_terms, key_terms

ENUMERATION = re.compile(r"^(First|Second|Third|Fourth|Finally|Secondly|Thirdly)\b")
BOTH_PAPERS = re.compile(r"\b(both|two|each|all) (papers|articles|authors)\b|\bcompare", re.I)
MAX_SENTENCES = 3


@dataclass(frozen=True)
class Pick:
    """A sentence chosen for the answer and the passage it comes from."""

    passage: int
    index: int
    text: str
    score: float


def score_sentence(sentence: str, terms: set[str], keys: set[str]) -> float:
    """Share of the question's terms in the sentence, key terms counting double."""
    if not terms:
        return 0.0
    found = content_terms(sentence)
    hits = len(terms & found) + len(keys & (found | set(sentence.split())))
    return hits / (len(terms) + len(keys))


def pick_sentences(question: str, passages: list[ScoredPassage]) -> list[Pick]:
    """The best sentences, with the enumerated neighbours an answer spans ("First, ... Second")."""
    terms, keys = content_terms(question), key_terms(question)
    candidates: list[Pick] = []
    split = [sentences(p.text) for p in passages]
    seen: set[str] = set()
    for pi, sents in enumerate(split):
        if passages[pi].kind != "body" and any(p.kind == "body" for p in passages):
            continue
        rank_bonus = 0.02 * (len(passages) - pi)
        for si, sent in enumerate(sents):
            if sent in seen:
                continue
            seen.add(sent)
            score = score_sentence(sent, terms, keys) + rank_bonus
            candidates.append(Pick(pi, si, sent, score))
    if not candidates:
        return []
    candidates.sort(key=lambda c: -c.score)
    best = candidates[0].score
    chosen = [c for c in candidates if c.score >= 0.75 * best][:MAX_SENTENCES]
    if BOTH_PAPERS.search(question):
        for paper in {p.paper_id for p in passages}:
            if all(passages[c.passage].paper_id != paper for c in chosen):
                chosen.append(next(c for c in candidates if passages[c.passage].paper_id == paper))
    extended: list[Pick] = []
    for c in chosen:
        extended.append(c)
        sents = split[c.passage]
        j = c.index + 1
        while j < len(sents) and ENUMERATION.match(sents[j]) and j - c.index <= 3:
            extended.append(Pick(c.passage, j, sents[j], c.score))
            j += 1
    unique = {(p.passage, p.index): p for p in extended}
    return sorted(unique.values(), key=lambda p: (p.passage, p.index))


def short_reference(c: Citation) -> str:
    """`Russia and the Korean Crisis (Koslov, 2018, p. 3)`: the attribution phrase."""
    title = c.title.split(":")[0].strip()
    who = [c.authors.split(";")[0].split()[-1]] if c.authors.strip() else []
    when = [str(c.year)] if c.year else []
    return f"{title} ({', '.join([*who, *when, f'p. {c.page}'])})"


def to_citation(n: int, p: ScoredPassage) -> Citation:
    """A numbered citation for a passage."""
    return Citation(n=n, **p.model_dump(include=set(PassageRef.model_fields)))


def compose(picks: list[Pick], passages: list[ScoredPassage]) -> tuple[str, list[Citation]]:
    """Group picked sentences by paper, each group opened by who said it."""
    citations: dict[int, Citation] = {}
    by_paper: dict[str, list[Pick]] = {}
    for pick in picks:
        by_paper.setdefault(passages[pick.passage].paper_id, []).append(pick)
        if pick.passage not in citations:
            citations[pick.passage] = to_citation(len(citations) + 1, passages[pick.passage])
    paragraphs = []
    for group in by_paper.values():
        first = citations[group[0].passage]
        body = " ".join(f"{p.text} [{citations[p.passage].n}]" for p in group)
        paragraphs.append(f"According to {short_reference(first)}: {body}")
    return "\n\n".join(paragraphs), sorted(citations.values(), key=lambda c: c.n)
