"""Sentence boundaries, shared by chunking at ingest and sentence picking at answer time."""

from __future__ import annotations

import re

from sentencex import segment

from rag.terms import STOPWORDS

Span = tuple[int, int]

# An answer sentence reads as prose: this many words, this many of them function words
# ("the", "of", "is"), mostly letters, and an end mark. A table row, an equation, a run-in
# heading or a line of code lacks one of them.
MIN_PROSE_WORDS = 5
MIN_FUNCTION_WORDS = 1
MIN_LETTER_SHARE = 0.5
# A sentence with at least this many content words, every one capitalised, is a heading.
MIN_HEADING_WORDS = 3
# A list item may end in a comma ("(1) magelib, a library for ...,").
END_MARK = re.compile(r"[.!?:;,][\"')\]]*$")
# Where a sentence ends: a full stop, question or exclamation mark, maybe closed by a
# quote or a bracket.
SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s*$")
# A paper's own numbered citation (`[88]`, `[3, 4]`, `[12-14]`), with the space before it.
NUMBERED_CITATION = re.compile(r"\s*\[\d+(?:\s*[,;\u2013-]\s*\d+)*\]")


def _segmentable(text: str) -> str:
    """`text` with an opening parenthesis at its very start masked, at the same length.

    The segmenter reads a text that opens with `(` as one parenthesis up to the text's
    last `)` and splits nothing inside it, so a list item such as `(3) Why? We ask.` came
    back as one sentence however long it ran.
    """
    lead = len(text) - len(text.lstrip())
    return text[:lead] + "x" + text[lead + 1 :] if text[lead : lead + 1] == "(" else text


def sentence_spans(text: str, base: int = 0) -> list[Span]:
    """(start, end) of each sentence in `text`, offset by `base`, whitespace trimmed.

    A piece that opens in lower case after one with no end mark continues it: the
    segmenter cuts after an abbreviation and a citation (`Bell et al. [3] | reports`).
    """
    spans: list[Span] = []
    pos = 0
    masked = _segmentable(text)
    for piece in segment("en", masked):
        core = piece.strip()
        if not core:
            continue
        at = masked.find(core, pos)
        if at < 0:
            continue
        if spans and core[0].islower() and not END_MARK.search(masked[:at].rstrip()):
            spans[-1] = (spans[-1][0], base + at + len(core))
        else:
            spans.append((base + at, base + at + len(core)))
        pos = at + len(core)
    return spans


def _title_cased(words: list[str]) -> bool:
    """Every word but the function words capitalised: a run-in heading, not a sentence.

    `Augmenting Reading and Collecting Evidence.` ends like a sentence, but a sentence
    has a verb in lower case.
    """
    bare = (w.strip(",.;:()\"'") for w in words)
    content = [w for w in bare if w.isalpha() and w.lower() not in STOPWORDS]
    return len(content) >= MIN_HEADING_WORDS and all(w[0].isupper() for w in content)


def is_prose(sentence: str) -> bool:
    """Whether a sentence can stand as an answer sentence: prose, not layout debris."""
    words = sentence.split()
    letters = sum(c.isalpha() for c in sentence)
    return (
        len(words) >= MIN_PROSE_WORDS
        and sum(w.lower().strip(",.;:()") in STOPWORDS for w in words) >= MIN_FUNCTION_WORDS
        and letters >= MIN_LETTER_SHARE * len(sentence.replace(" ", ""))
        and ">>>" not in sentence
        and bool(END_MARK.search(sentence))
        and not _title_cased(words)
    )


def sentences(text: str) -> list[str]:
    """The sentences of `text`, trimmed."""
    return [text[a:b] for a, b in sentence_spans(text)]


def without_citation_numbers(text: str) -> str:
    """`text` less the paper's own numbered citations.

    An answer cites its passages as `[1]`, and a sentence copied with its paper's `[44]`
    inside would seem to cite a passage that is not there; without the paper's reference
    list the number tells a reader nothing either.
    """
    return NUMBERED_CITATION.sub("", text)


def continues_a_sentence(opening: str, before: str | None) -> bool:
    """Whether a chunk's opening sentence is the tail of one cut off before the chunk.

    A page, column or figure can break a sentence, and a chunk then opens mid-sentence:
    in lower case, after a chunk that stops without ending a sentence ("... Macro Avg
    (Grobid Subset)" then "necessary for evaluation on S2-VL."). Such a tail answers
    nothing. A name written in lower case ("papermage is ...") opening a chunk after a
    finished sentence is a sentence.
    """
    return bool(opening[:1].islower() and before is not None and not SENTENCE_END.search(before))
