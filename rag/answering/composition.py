"""The default backend: answer with the retrieved sentences themselves, no language model.

It never writes a sentence of its own apart from the attribution phrase, so every
sentence of its answer is in a cited passage by construction. It is registered under
the `rag.backends` entry points like `openai` and `llamacpp` (`extractive_backend`).
"""

from __future__ import annotations

import re

from rag import wording
from rag.answering.sentence_scoring import Pick
from rag.sentences import without_citation_numbers
from rag.settings import Settings
from rag.types import Answer, Citation, PassageRef, ScoredPassage

# The backend's name, as RAG_BACKEND and `Answer.backend` give it.
EXTRACTIVE = "extractive"


def short_reference(c: Citation) -> str:
    """`Russia and the Korean Crisis (Koslov, 2018, p. 3)`: the attribution phrase."""
    title = c.title.split(":")[0].strip()
    who = [c.authors.split(";")[0].split()[-1]] if c.authors.strip() else []
    when = [str(c.year)] if c.year else []
    return f"{title} ({', '.join([*who, *when, f'p. {c.printed_page}'])})"


def to_citation(n: int, p: ScoredPassage) -> Citation:
    """A numbered citation for a passage."""
    return Citation(n=n, **p.model_dump(include=set(PassageRef.model_fields)))


# The opening `compose` gives each paragraph, for readers that must tell it from a claim.
ATTRIBUTION = re.compile(rf"^{re.escape(wording.ACCORDING_TO)} [^:\n]*?\(([^()]*)\):\s*", re.M)


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
        body = " ".join(
            f"{without_citation_numbers(p.text)} [{citations[p.passage].n}]" for p in group
        )
        paragraphs.append(f"{wording.ACCORDING_TO} {short_reference(first)}: {body}")
    return "\n\n".join(paragraphs), sorted(citations.values(), key=lambda c: c.n)


def refusal(reason: str, passages: list[ScoredPassage]) -> Answer:
    """The plain statement that the papers do not answer, with the closest passages."""
    return Answer(
        answer=wording.REFUSAL.format(reason=reason),
        answered=False,
        related=[to_citation(i + 1, p) for i, p in enumerate(passages[:3])],
        backend=EXTRACTIVE,
    )


def extractive_backend(settings: Settings) -> None:
    """The `extractive` entry of `rag.backends`: there is no model to load.

    With no `ChatBackend` the pipeline's own answer above is the answer: nothing is
    condensed or generated, so nothing can fall back.
    """
    return None
