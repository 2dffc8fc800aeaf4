"""The grounding check on sentences written against real passages of the papers."""

from __future__ import annotations

from rag.grounding import ground
from rag.judge import judge_sentence

P1 = (
    "On May 15, 2000, speaking at a ceremony for the presentation of diplomatic "
    "credentials, President Vladimir Putin stated that historically and geopolitically "
    "the Korean peninsula has always been within the sphere of Russia's national interests."
)
P2 = (
    "Russia supported United Nations Security Council Resolution 1695, "
    "condemning the North Korean missile test."
)


def test_faithful_sentence_is_supported() -> None:
    verdict = judge_sentence(
        "Putin stated on May 15, 2000 that Korea was in Russia's sphere of national interests.",
        [P1],
    )
    assert verdict.supported and verdict.score >= 0.7


def test_changed_number_name_or_negation_fails() -> None:
    assert not judge_sentence(
        "On May 15, 2001, Putin stated Korea was in Russia's sphere.", [P1]
    ).supported
    assert not judge_sentence(
        "On May 15, 2000, Yeltsin stated Korea was in Russia's sphere.", [P1]
    ).supported
    verdict = judge_sentence("Russia did not support Security Council Resolution 1695.", [P2])
    assert not verdict.supported and "negation" in verdict.reason
    assert not judge_sentence(
        "Russia supported sanctions on Japanese fisheries quotas.", [P2]
    ).supported


def test_ground_drops_phantom_citations_and_unsupported_sentences() -> None:
    text = (
        "Russia supported Resolution 1695, condemning the missile test [2][7]. "
        "Putin said Korea is in Russia's sphere of national interests [1]. "
        "Russia vetoed Resolution 1695 in 2009 [2]. "
        "Everyone agrees with this [9]."
    )
    out = ground(text, [P1, P2])
    assert out.text == (
        "Russia supported Resolution 1695, condemning the missile test. [1] "
        "Putin said Korea is in Russia's sphere of national interests. [2]"
    )
    assert out.cited == [2, 1]
    assert out.unsupported == [
        "Russia vetoed Resolution 1695 in 2009.",
        "Everyone agrees with this.",
    ]


def test_lenient_keeps_cited_but_unsupported_sentences_listed() -> None:
    out = ground(
        "Russia vetoed Resolution 1695 in 2009 [1]. Nothing cited here.", [P2], strict=False
    )
    assert out.text == "Russia vetoed Resolution 1695 in 2009. [1]"
    assert out.unsupported == ["Russia vetoed Resolution 1695 in 2009.", "Nothing cited here."]
