"""The claim-aware judge on each kind of edit, with sentences the lexical judge got wrong.

Every sentence here was judged wrongly by the judge of `rag.support` (with the embedding
check of the old offline judge) before the claim-aware one replaced it.
"""

from __future__ import annotations

import pytest

from eval.faithfulness import judge_sentence

S2ORC = (
    "We introduce S2ORC, a large corpus of 81.1M English-language academic papers spanning "
    "many academic disciplines. The corpus consists of rich metadata, paper abstracts, "
    "resolved bibliographic references, as well as structured full text for 8.1M open access "
    "papers. In S2ORC, we aggregate papers from hundreds of academic publishers and digital "
    "archives into a unified source, and create the largest publicly-available collection of "
    "machine-readable academic text to date."
)
GRAPHS = (
    "Citation graphs like AMiner's Open Academic Graph (Tang et al., 2008), the Microsoft "
    "Academic Graph (MAG) (Shen et al., 2018), and the Semantic Scholar literature graph "
    "(Ammar et al., 2018), have had widespread application in bibliometrics, "
    "science-of-science, information retrieval, and network analysis."
)
DERIVED = (
    "We focus on bibliometrically-enhanced derivations of these corpora, such as the ACL "
    "Anthology Network (AAN) (Radev et al., 2009) derived from the ACL Anthology, RefSeer "
    "(Huang et al., 2015) derived from CiteSeerX, and Saier and Färber (2019) derived from "
    "arXiv, which combine useful aspects of citation graphs and raw text corpora."
)
ANNEXED = (
    "In 1904 a war between Russia and Japan broke out. Russia lost; disastrous results of the "
    "war led to the loss of the southern half of the Sakhalin Island. In 1910 Korea was "
    "annexed by Japan."
)


@pytest.mark.parametrize(
    ("passage", "sentence"),
    [
        pytest.param(
            S2ORC,
            "Structured full text is provided for 81.1M open access papers.",
            id="number-from-the-same-passage",
        ),
        pytest.param(
            GRAPHS,
            "Citation graphs like the Microsoft Academic Graph (MAG) (Shen et al., 2008) have "
            "had widespread application in bibliometrics and information retrieval.",
            id="date-from-the-same-passage",
        ),
        pytest.param(
            GRAPHS,
            "Citation graphs like the Microsoft Academic Graph (MAG) (Tang et al., 2018) have "
            "had widespread application in bibliometrics and information retrieval.",
            id="entity-from-the-same-passage",
        ),
        pytest.param(
            S2ORC,
            "In S2ORC, papers from hundreds of academic publishers and digital archives are "
            "rarely aggregated into a unified source.",
            id="negation-rarely",
        ),
        pytest.param(
            S2ORC,
            "In S2ORC, we fail to aggregate papers from hundreds of academic publishers and "
            "digital archives into a unified source.",
            id="negation-fail-to",
        ),
        pytest.param(
            DERIVED,
            "The ACL Anthology was derived from the ACL Anthology Network (AAN).",
            id="role-subject-object",
        ),
        pytest.param(ANNEXED, "In 1910 Korea annexed Japan.", id="role-voice"),
        pytest.param(
            S2ORC,
            "S2ORC is the smallest publicly-available collection of machine-readable academic "
            "text to date.",
            id="comparison-superlative",
        ),
        pytest.param(
            S2ORC,
            "S2ORC aggregates papers from hundreds of academic publishers and digital archives "
            "into a unified source that is updated every week.",
            id="unsupported-addition",
        ),
        pytest.param(
            S2ORC,
            "We introduce S2ORC, a large corpus of 81.1M English-language academic papers "
            "spanning few academic disciplines.",
            id="quantifier-many-few",
        ),
        pytest.param(
            S2ORC,
            "S2ORC is a large corpus of 81.1M English-language academic papers spanning all "
            "academic disciplines.",
            id="quantifier-all",
        ),
        pytest.param(
            S2ORC,
            "The corpus consists of rich metadata, paper abstracts and resolved bibliographic "
            "references, but only for 8.1M open access papers.",
            id="quantifier-only",
        ),
    ],
)
def test_a_changed_claim_is_unsupported(passage: str, sentence: str) -> None:
    verdict = judge_sentence(sentence, [passage])
    assert not verdict.supported, verdict
    assert verdict.reason


@pytest.mark.parametrize(
    ("passage", "sentence"),
    [
        pytest.param(
            S2ORC,
            "S2ORC contains 81.1 million English-language academic papers.",
            id="81.1M-as-81.1-million",
        ),
        pytest.param(
            S2ORC,
            "The corpus holds structured full text for 8.1 million open access papers.",
            id="8.1M-as-8.1-million",
        ),
        pytest.param(
            "The population grew to 1,500,000 people by 1990.",
            "By 1990 the population had grown to 1.5 million people.",
            id="1,500,000-as-1.5-million",
        ),
        pytest.param(
            "Only 12% of the papers were rejected.",
            "Only 12 percent of the papers were rejected.",
            id="percent-sign-as-word",
        ),
    ],
)
def test_the_same_facts_in_another_format_are_supported(passage: str, sentence: str) -> None:
    verdict = judge_sentence(sentence, [passage])
    assert verdict.supported, verdict


# Sentences from the development pairs written from three real papers
# (`eval/faithfulness_dev_realpapers.jsonl`) that the first claim judge (model v1) got
# wrong; the judge fitted to the dev set does not, so these are in-sample examples
# (some passages abridged).
STUDY = (
    "This paper begins with a formative observational study of 12 non-expert readers to "
    "identify barriers in reading medical research papers."
)
BARRIERS = (
    "We focus on four of the five barriers discussed in §3: unfamiliar terminology, dense text, "
    "knowing what to read, and searching for answers, because these were the most common "
    "barriers we observed that hampered readers’ ability to get useful information from the "
    "papers."
)
TERMS = (
    "For both Wiktionary and UMLS, we preserve the bottom 80% of terms based on word frequency "
    "and remove all terms at or above 30 characters."
)
PROTOTYPES = (
    "papermage has powered multiple research prototypes of AI applications over scientific "
    "documents, along with Semantic Scholar’s large-scale production system for processing "
    "millions of PDFs."
)
DIFFICULT = (
    "Healthcare consumers report that, unsurprisingly, medical papers are difficult to read."
)
SARAH = (
    "After ten minutes, Sarah realizes that this first paragraph merely provides background on "
    "SLE. They haven’t made it to the second half of the introduction."
)
BELL = (
    "Successful augmented writing systems for these tasks stand to improve the quality of the "
    "output (e.g. Bell et al. [3] reports that 1 in 5 patients find a mistake in their clinical "
    "notes written by doctors or nurses)."
)
GRANTS = "This project was supported in part by NSF Grant OIA-2033558 and NSF Grant CNS-2213656."
RECRUITED = (
    "Participants were recruited from our institution, our professional networks, and Upwork."
)
EXTRACTS = (
    "For each question, Paper Plain extracts relevant passages from the paper using an "
    "extractive question answering (QA) system trained on BioASQ, a biomedical question "
    "answering task [108]."
)
PHRASES = (
    "Because this QA model extracts single words or phrases rather than full passages, we used "
    "the entire paragraph that contains an answer extracted by the model."
)
STEM = (
    "79% of participants (19) had taken 3 or fewer STEM course since high school and 92% (22) "
    "had never been involved in publishing a research paper."
)
WRAPS = (
    "SentencePredictor wraps sciSpaCy (Neumann et al., 2019) and PySBD (Sadvilkar and Neumann, "
    "2020) to segment sentences."
)


@pytest.mark.parametrize(
    ("passage", "sentence"),
    [
        pytest.param(
            BARRIERS, "We focus on three of the five barriers discussed in §3.", id="number"
        ),
        pytest.param(
            STUDY,
            "The paper begins with a formative observational study of 12 expert readers to "
            "identify barriers in reading medical research papers.",
            id="negation-non-prefix",
        ),
        pytest.param(
            DIFFICULT,
            "Healthcare consumers report that, unsurprisingly, medical papers are easy to read.",
            id="negation-antonym",
        ),
        pytest.param(
            TERMS,
            "For both Wiktionary and UMLS, we preserve the top 80% of terms based on word "
            "frequency and remove all terms at or above 30 characters.",
            id="comparison-top-bottom",
        ),
        pytest.param(
            PROTOTYPES,
            "papermage has powered a single research prototype of AI applications over "
            "scientific documents.",
            id="scope-multiple-single",
        ),
        pytest.param(
            STEM,
            "All participants had taken 3 or fewer STEM courses since high school.",
            id="scope-79%-as-all",
        ),
    ],
)
def test_a_changed_claim_from_a_real_paper_is_unsupported(passage: str, sentence: str) -> None:
    verdict = judge_sentence(sentence, [passage])
    assert not verdict.supported, verdict


@pytest.mark.parametrize(
    ("passage", "sentence"),
    [
        pytest.param(
            BELL,
            "Bell et al. report that 20% of patients find a mistake in the clinical notes that "
            "doctors or nurses write about them.",
            id="1-in-5-as-20%",
        ),
        pytest.param(
            SARAH,
            "After ten minutes, Sarah has not yet reached the second half of the introduction.",
            id="curly-apostrophe-negation",
        ),
        pytest.param(
            GRANTS,
            "NSF Grants OIA-2033558 and CNS-2213656 partly supported the project.",
            id="plural-name",
        ),
        pytest.param(
            WRAPS,
            "To segment sentences, SentencePredictor wraps sciSpaCy and PySBD.",
            id="citations-dropped",
        ),
        pytest.param(
            RECRUITED,
            "Participants were recruited from Upwork, the authors' professional networks and "
            "their institution.",
            id="list-items-reordered",
        ),
        pytest.param(
            EXTRACTS,
            "For every question, Paper Plain pulls relevant passages out of the paper with an "
            "extractive QA system trained on BioASQ.",
            id="each-as-every",
        ),
        pytest.param(
            PHRASES,
            "The QA model only extracts single words or phrases, so the entire paragraph that "
            "contains an answer extracted by the model was used.",
            id="rather-than-as-only",
        ),
        pytest.param(
            STEM,
            "Most participants, 19 of them or 79%, had taken three or fewer STEM courses since "
            "high school.",
            id="79%-as-most",
        ),
        pytest.param(
            "Daniel S. Weld Allen Institute for AI Doug Downey",
            "The toolkit was written by Daniel S. Weld and Doug Downey.",
            id="title-block-name-run-into-affiliation",
        ),
    ],
)
def test_a_real_paraphrase_is_supported(passage: str, sentence: str) -> None:
    verdict = judge_sentence(sentence, [passage])
    assert verdict.supported, verdict
