"""Which retrieved sentences answer the question: the extractive answer's content.

Greedy coverage picks the sentences that add the most not-yet-covered question terms,
weighted by rarity, each with the sentences that lean on it; `rag.answering.composition`
turns the picks into the cited answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_core.documents import Document

from rag.answering.question import Question, gives
from rag.answering.thresholds import (
    ABOUT_THE_PAPER_WEIGHT,
    FORM_BONUS,
    KEY_WEIGHT,
    LEAD_FOLLOWERS,
    MAX_FOLLOWERS,
    MAX_PICKS,
    MIN_GAIN,
    RANK_PRIOR,
)
from rag.retrieval import as_passage
from rag.sentences import continues_a_sentence, is_prose, sentences
from rag.snapshot import IndexSnapshot
from rag.terms import vocabulary
from rag.types import ANSWER_KINDS, ScoredPassage

# A sentence that opens with one of these leans on the one before it, so it comes along
# when the one before is picked: the answer to "why" or "what followed" is usually there.
CONTINUATION = re.compile(
    r"^(First|Second|Third|Fourth|Fifth|Finally|Secondly|Thirdly|Lastly|Also|As a result|"
    r"The (first|second|third|other|main|reason)|Another|This|These|That|Such|It|They|Thus|"
    r"Therefore|Hence|However|But|Yet|Moreover|In addition|Consequently|At the same time)\b"
)
# A sentence that opens with one of these draws a conclusion from the one before it, so
# the one before comes along: the reason a "why" question asks for is usually there.
CONCLUSION = re.compile(
    r"^(As such|Thus|Therefore|Hence|Consequently|As a result|For this reason|"
    r"(This|That) is why)\b"
)
# Sentences about the paper itself match every question on its topic and answer none.
ABOUT_THE_PAPER = re.compile(
    r"^(This|The present|In this|Our) (paper|article|study|work|essay|chapter|report)\b"
)
# A sentence that goes on about the same subject by its pronoun (`It then studies ...`).
SAME_SUBJECT = re.compile(r"^(It|They)\s+[a-z]")
# Index terms are the paper's metadata, not a statement; they are never an answer.
KEY_WORDS = re.compile(r"^Key ?words\b", re.I)

# Answers come from the running text when a passage of it was retrieved; footnotes and
# captions answer only when nothing else does. Other kinds never answer.
RUNNING_TEXT = ("body", "abstract")


Key = tuple[int, int]


@dataclass(frozen=True)
class Pick:
    """A sentence chosen for the answer and the passage it comes from."""

    passage: int
    index: int
    text: str


class _Sentences:
    """Each passage's sentences, keyed (passage, index), read on into following chunks.

    Overlapping chunks repeat sentences; `candidates` holds each text once, while
    `after` walks a passage's own order so the sentence that follows is never lost.
    """

    def __init__(self, passages: list[ScoredPassage], snapshot: IndexSnapshot) -> None:
        self.passages = list(passages)
        self.snapshot = snapshot
        self.sents = [sentences(p.text) for p in passages]
        self.words: dict[Key, set[str]] = {}
        answering = [
            [
                si
                for si, sent in enumerate(sents)
                if not KEY_WORDS.match(sent)
                and is_prose(sent)
                and not (si == 0 and self._cut_off(p, sent))
            ]
            for p, sents in zip(passages, self.sents, strict=True)
        ]
        # A heading-only chunk of the running text holds nothing to answer with, so it
        # does not shut out the footnote beside it.
        pairs = zip(passages, answering, strict=True)
        has_body = any(p.kind in RUNNING_TEXT and own for p, own in pairs)
        seen: set[str] = set()
        self.candidates: list[Key] = []
        for pi, p in enumerate(passages):
            usable = p.kind in RUNNING_TEXT if has_body else p.kind in ANSWER_KINDS
            for si in answering[pi]:
                sent = self.sents[pi][si]
                if sent not in seen and usable:
                    seen.add(sent)
                    self.candidates.append((pi, si))

    def _cut_off(self, passage: ScoredPassage, opening: str) -> bool:
        """Whether the passage opens with the tail of a sentence the chunk before cut off."""
        if not opening[:1].islower():
            return False
        before = self.snapshot.preceding.get(passage.chunk_id)
        return continues_a_sentence(opening, before.page_content if before else None)

    def text(self, key: Key) -> str:
        """The sentence at `key`."""
        return self.sents[key[0]][key[1]]

    def about_the_paper(self, key: Key) -> bool:
        """Whether the sentence describes the paper, itself or by a pronoun right after one."""
        pi, si = key
        while si > 0 and SAME_SUBJECT.match(self.sents[pi][si]):
            si -= 1
        return bool(ABOUT_THE_PAPER.match(self.sents[pi][si]))

    def vocab(self, key: Key) -> set[str]:
        """Stems of the sentence at `key`, computed once."""
        if key not in self.words:
            self.words[key] = vocabulary(self.text(key))
        return self.words[key]

    def after(self, key: Key) -> Key | None:
        """The sentence after `key`, reading on into the next chunk when the passage ends."""
        pi, si = key
        if si + 1 < len(self.sents[pi]):
            return (pi, si + 1)
        fresh = self._neighbour(self.snapshot.following, pi)
        if fresh is None:
            return None
        here = set(self.sents[pi])
        return next(((fresh, i) for i, t in enumerate(self.sents[fresh]) if t not in here), None)

    def before(self, key: Key) -> Key | None:
        """The sentence before `key`, reading back into the chunk before when it opens one."""
        pi, si = key
        if si > 0:
            return (pi, si - 1)
        fresh = self._neighbour(self.snapshot.preceding, pi)
        if fresh is None:
            return None
        sents, here = self.sents[fresh], self.text(key)
        # Chunks overlap: the sentence may open this chunk and stand inside the one before.
        at = sents.index(here) if here in sents else len(sents)
        return (fresh, at - 1) if at > 0 else None

    def _neighbour(self, links: dict[str, Document], pi: int) -> int | None:
        """The chunk next to passage `pi` in `links`, added to the pool; its passage index."""
        doc = links.get(self.passages[pi].chunk_id)
        if doc is None:
            return None
        self.passages.append(as_passage(doc))
        self.sents.append(sentences(doc.page_content))
        return len(self.passages) - 1


def pick_sentences(
    q: Question, passages: list[ScoredPassage], snapshot: IndexSnapshot
) -> tuple[list[Pick], list[ScoredPassage]]:
    """Sentences that together cover the question's terms, with the ones they lean on.

    Greedy coverage: each next sentence is the one adding the most not-yet-covered term
    weight, so a two-part question gets a sentence per part instead of two paraphrases
    of the first. A question about both papers gets each paper's best sentence. Returns
    the picks and the passages they index, which may now include a following chunk.
    """
    pool = _Sentences(passages, snapshot)
    weights = {t: snapshot.idf(t) * (KEY_WEIGHT if t in q.keys else 1.0) for t in q.terms | q.keys}
    total = sum(weights.values()) or 1.0
    candidates = pool.candidates
    if not candidates:
        return [], pool.passages

    def states(key: Key) -> bool:
        """Whether the sentence gives the kind of fact asked for, about what is asked."""
        return bool(
            q.expects
            and (q.head is None or q.head in pool.vocab(key))
            and gives(q.expects, pool.text(key))
        )

    def gain(key: Key, covered: set[str], form_met: bool = False) -> float:
        hit = sum(w for t, w in weights.items() if t in pool.vocab(key) and t not in covered)
        value = hit / total + RANK_PRIOR * (len(passages) - key[0]) / len(passages)
        if not form_met and states(key):
            own = sum(w for t, w in weights.items() if t in pool.vocab(key)) / total
            value += FORM_BONUS * own
        return value * (ABOUT_THE_PAPER_WEIGHT if pool.about_the_paper(key) else 1.0)

    chosen: list[Key] = []
    covered: set[str] = set()
    form_met = False
    while len(chosen) < min(MAX_PICKS, len(candidates)):
        rest = (k for k in candidates if k not in chosen)
        best = max(rest, key=lambda k: gain(k, covered, form_met))
        if chosen and gain(best, covered, form_met) < MIN_GAIN:
            break
        chosen.append(best)
        covered |= pool.vocab(best) & weights.keys()
        form_met = form_met or states(best)
    if q.expects and not form_met:
        # The question asks for a count or an amount no sentence chosen gives: the
        # sentence that gives one, about what is asked, answers that part.
        stating = [k for k in candidates if k not in chosen and states(k)]
        if stating:
            chosen.append(max(stating, key=lambda k: gain(k, set())))
    if q.wants_both:
        for paper in dict.fromkeys(p.paper_id for p in passages):
            own = [k for k in candidates if passages[k[0]].paper_id == paper]
            if own and not any(passages[pi].paper_id == paper for pi, _ in chosen):
                chosen.append(max(own, key=lambda k: gain(k, set())))
    picked = set(chosen)
    for key in chosen:
        prior = pool.before(key) if CONCLUSION.match(pool.text(key)) else None
        if prior is not None and is_prose(pool.text(prior)):
            picked.add(prior)
    for rank, key in enumerate(chosen):
        nxt, follow = pool.after(key), 0
        while nxt is not None and follow < MAX_FOLLOWERS:
            if not (CONTINUATION.match(pool.text(nxt)) or (rank == 0 and follow < LEAD_FOLLOWERS)):
                break
            if is_prose(pool.text(nxt)):
                picked.add(nxt)
            nxt, follow = pool.after(nxt), follow + 1
    papers = list(dict.fromkeys(p.paper_id for p in pool.passages))

    def reading_order(key: Key) -> tuple[int, int, int]:
        p = pool.passages[key[0]]
        return (papers.index(p.paper_id), p.ordinal, key[1])

    picks: dict[str, Pick] = {}
    for pi, si in sorted(picked, key=reading_order):
        picks.setdefault(pool.text((pi, si)), Pick(pi, si, pool.text((pi, si))))
    return list(picks.values()), pool.passages
