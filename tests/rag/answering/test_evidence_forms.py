"""What counts as the kind of fact a question asks for: general forms, not one paper's words."""

from __future__ import annotations

import pytest

from rag.answering.question import EVIDENCE_OF, Expect, expected_answer, gives


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
        ("amount", "The study lasted forty minutes.", True),
        ("amount", "It took twenty-five minutes.", True),
        ("amount", "Annotation took two and a half hours per summary.", True),
        ("amount", "Participants spent half an hour reading.", True),
        ("count", "Forty people took part.", True),
        ("count", "Seventeen of them agreed.", True),
        ("count", "The people agreed.", False),
    ],
)
def test_evidence_forms(form: Expect, sentence: str, holds: bool) -> None:
    assert bool(EVIDENCE_OF[form].search(sentence)) is holds
    assert gives(form, sentence) is holds


@pytest.mark.parametrize(
    ("sentence", "holds"),
    [
        ("A QA system trained on BioASQ, a biomedical task [108].", False),
        ("Prior work [3, 4] and [12\u201314] studied it.", False),
        ("(4) Answer Gists summarise the answering passages.", False),
        ("The passages sit in the Discussion (see (1) Figure 4).", False),
        ("Section 3.1 and Table 2 describe the setup, as in \u00a75.", False),
        ("Tables 2 and 3 and figures 4–5 show it.", False),
        ("The equation sets the weight (7).", False),
        ("24 participants took part (Table 2).", True),
        ("Students (24) from two labs took part.", True),
        ("The model reached 81% accuracy [7].", True),
    ],
)
def test_citation_numbers_pointers_and_list_numbers_are_no_amount(
    sentence: str, holds: bool
) -> None:
    assert gives("amount", sentence) is holds


def test_how_accurate_asks_for_an_amount() -> None:
    assert expected_answer("How accurate was the model at finding the paragraph?") == "amount"
    assert expected_answer("How precise is the boundary detection?") == "amount"
    # "How precisely" asks in what way as often as how exactly.
    assert expected_answer("How precisely does PaperMage represent a document?") is None


@pytest.mark.parametrize(
    ("question", "form"),
    [
        ("What was the duration of the study?", "amount"),
        ("What is the size of the corpus?", "amount"),
        ("What percentage of papers have full text?", "amount"),
        ("How often did participants click a key question?", "count"),
        ("What was the number of annotators?", "count"),
        ("What was the study about?", None),
    ],
)
def test_a_duration_size_share_or_frequency_asked_in_other_words(
    question: str, form: Expect | None
) -> None:
    assert expected_answer(question) == form
