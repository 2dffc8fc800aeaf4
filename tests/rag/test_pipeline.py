"""`Pipeline.ask` with the extractive backend on the real index."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.indexer import ingest
from rag import wording
from rag.answering.thresholds import MAX_PAPERS_COMPARED
from rag.embeddings import SentenceTransformerEmbedder
from rag.errors import InvalidInputError
from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.utils.papers import field_paper

SEED_PAPERS = {"russia-korea-policy-21st-century", "russia-korean-crisis-2018"}


@pytest.fixture
def pipeline(settings: Settings, embedder: SentenceTransformerEmbedder) -> Pipeline:
    ingest(None, settings, embedder=embedder)
    return Pipeline(settings, embedder=embedder)


@pytest.mark.parametrize("settings", ["embedded"], indirect=True)
def test_answer_sentences_come_from_cited_passages(pipeline: Pipeline) -> None:
    answer = pipeline.ask("What are Russia's two fundamental interests concerning Korea?")
    assert answer.answered and answer.backend == "extractive"
    assert "First, Russia does not want weapons of mass destruction" in answer.answer
    assert "Second, Russia does not want a war in Korea." in answer.answer
    cited = {c.n: c for c in answer.citations}
    for paragraph in answer.answer.split("\n\n"):
        body = paragraph.split("): ", 1)[1]
        for sentence, n in re.findall(r"(.+?) \[(\d+)\]\s*", body):
            assert sentence.strip() in cited[int(n)].text
    assert cited[1].printed_page == "31" and cited[1].paper_id == "russia-korea-policy-21st-century"
    assert [r.rank for r in answer.retrieved] == list(range(1, len(answer.retrieved) + 1))
    assert {c.chunk_id for c in answer.citations} <= {r.chunk_id for r in answer.retrieved}


@pytest.mark.parametrize("settings", ["embedded"], indirect=True)
def test_refuses_what_the_papers_do_not_contain(pipeline: Pipeline) -> None:
    for question in (
        "What did Putin and Kim Jong-un agree at the 2019 Vladivostok summit?",
        "Give me a recipe for apple pie.",
    ):
        answer = pipeline.ask(question)
        assert not answer.answered, question
        assert "do not contain" in answer.answer
        assert answer.related and not answer.citations


@pytest.mark.parametrize("settings", ["embedded"], indirect=True)
def test_bad_input_names_the_field(pipeline: Pipeline) -> None:
    cases = [
        ({"question": "   "}, "question"),
        ({"question": "x" * 2001}, "question"),
        ({"question": "ok?", "top_k": 0}, "top_k"),
        ({"question": "ok?", "top_k": 21}, "top_k"),
        ({"question": "ok?", "papers": ["no-such-paper"]}, "papers"),
        ({"question": "ok?", "history": "not a list"}, "history"),
    ]
    for kwargs, field in cases:
        with pytest.raises(InvalidInputError) as err:
            pipeline.ask(**kwargs)  # type: ignore[arg-type]
        assert err.value.field == field


@pytest.mark.parametrize("settings", ["embedded"], indirect=True)
def test_follow_up_uses_the_previous_question(pipeline: Pipeline) -> None:
    alone = pipeline.ask("And what about South Korea?")
    follow = pipeline.ask(
        "And what about South Korea?",
        history=["What are Russia's two fundamental interests concerning the Korean peninsula?"],
    )
    assert follow.answered and follow.citations
    assert follow.answer != alone.answer


def test_health_says_whether_and_why_questions_can_be_answered(
    settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    empty = Pipeline(settings, embedder=embedder).health(deep=True)
    assert not empty.ready and empty.status == wording.HEALTH_NO_INDEX and empty.check is None
    ingest(None, settings, embedder=embedder)
    pipeline = Pipeline(settings, embedder=embedder)
    quick, deep = pipeline.health(), pipeline.health(deep=True)
    assert quick.ready and quick.status == wording.HEALTH_OK and quick.check is None
    assert quick.papers == 2 and quick.chunks == len(pipeline.view().docs)
    assert deep.ready and deep.check is not None
    assert deep.check.sampled == deep.check.found > 0 and deep.check.missing == []


def test_a_question_across_papers_compares_the_papers_it_is_about(
    private_index: Settings, corpus: Path, embedder: SentenceTransformerEmbedder
) -> None:
    # Papers that the registry may list first and that say nothing on the question: in
    # a library, "the two papers" are the ones the question reaches, not the first few.
    for n in range(MAX_PAPERS_COMPARED + 2):
        (corpus / f"a-survey-{n}.md").write_text(field_paper(n, 40), "utf-8")
    assert not ingest(None, private_index, embedder=embedder).failed
    pipeline = Pipeline(private_index, embedder=embedder)
    answer = pipeline.ask("How do the two papers describe Putin's July 2000 visit to Pyongyang?")
    assert answer.answered
    assert {c.paper_id for c in answer.citations} == SEED_PAPERS
    assert {r.paper_id for r in answer.retrieved} == SEED_PAPERS
