from eval.metrics import evidence_recall, holds_evidence, reciprocal_rank

PASSAGES = [
    "Russia wants no war\nin Korea.",
    "Putin met Kim Jong-un in Vladivostok in April 2019.",
    "The Khasan-Rajin railway opened in 2013.",
]


def test_quotes_match_across_line_breaks_and_spacing() -> None:
    assert holds_evidence(PASSAGES[0], "Russia wants no war in  Korea")
    assert not holds_evidence(PASSAGES[0], "Russia wants war")


def test_evidence_recall_counts_each_quote_once() -> None:
    quotes = ["met Kim Jong-un", "railway opened in 2013", "never said"]
    assert evidence_recall(PASSAGES, quotes) == 2 / 3
    assert evidence_recall(PASSAGES[:1], quotes) == 0.0
    assert evidence_recall(PASSAGES, []) is None


def test_reciprocal_rank_is_that_of_the_first_passage_with_evidence() -> None:
    assert reciprocal_rank(PASSAGES, ["railway opened"]) == 1 / 3
    assert reciprocal_rank(PASSAGES, ["no war", "railway"]) == 1.0
    assert reciprocal_rank(PASSAGES, ["absent"]) == 0.0
    assert reciprocal_rank(PASSAGES, []) is None
