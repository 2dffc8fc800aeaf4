"""What counts as the kind of fact a question asks for: general forms, not one paper's words."""

from __future__ import annotations

import pytest

from rag.answering.question import EVIDENCE_OF, Expect


@pytest.mark.parametrize(
    ("form", "sentence", "holds"),
    [
        ("money", "It cost 5 billion won.", True),
        ("money", "Aid reached USD 300 per family.", True),
        ("money", "They borrowed $1.2 billion.", True),
        ("money", "He won the election.", False),
        ("money", "In 2018 the party won again.", False),
        ("amount", "The sessions took three weeks.", True),
        ("amount", "Each annotator spent 45 minutes per summary.", True),
        ("amount", "The corpus holds 81.1M papers.", True),
        ("amount", "The project ran for a decade.", True),
        ("amount", "It was signed in 2003 and paid by 2023.", False),
        ("amount", "Our two countries agreed.", False),
    ],
)
def test_evidence_forms(form: Expect, sentence: str, holds: bool) -> None:
    assert bool(EVIDENCE_OF[form].search(sentence)) is holds
