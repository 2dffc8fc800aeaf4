"""Follow-ups are told from standalone questions by their grammar, over real chat transcripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rag.answering.follow_up import is_follow_up, with_context
from rag.pipeline import Pipeline
from rag.types import Answer, Turn
from tests.conftest import ROOT

TRANSCRIPTS = [
    json.loads(line)
    for line in (Path(__file__).parent.parent / "data" / "chat_transcripts.jsonl")
    .read_text()
    .splitlines()
]
NORTH = "What does Russia want in North Korea?"
SOUTH = "And what about South Korea?"


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=[t["id"] for t in TRANSCRIPTS])
def test_each_user_turn_leans_on_what_the_transcript_says(transcript: dict[str, Any]) -> None:
    turns = [Turn(role=t["role"], content=t["content"]) for t in transcript["turns"]]
    for i, raw in enumerate(transcript["turns"]):
        if raw["role"] != "user":
            continue
        question = raw["content"]
        assert is_follow_up(question) is raw["follow_up"], question
        assert with_context(question, turns[:i]) == raw.get("retrieve", question)


def test_every_eval_question_stands_alone() -> None:
    """The eval set's questions were written to be asked cold; none may lean on a turn."""
    lines = (ROOT / "eval" / "questions.jsonl").read_text().splitlines()
    questions = [json.loads(line)["question"] for line in lines]
    assert len(questions) > 50
    assert [q for q in questions if is_follow_up(q)] == []


def same(a: Answer, b: Answer) -> bool:
    """Equal answers, whatever the time they took."""
    return a.model_dump(exclude={"timings_ms"}) == b.model_dump(exclude={"timings_ms"})


@pytest.mark.parametrize(
    "history",
    [
        ["hi"],
        [Turn(role="user", content="hello"), Turn(role="assistant", content="Hello!")],
        [NORTH, "thanks"],
    ],
    ids=["greeting", "greeting-and-reply", "after-another-topic"],
)
def test_short_standalone_question_is_answered_as_without_history(
    pipeline: Pipeline, history: list[Turn | str]
) -> None:
    question = "Where is Vladivostok?"
    alone = pipeline.ask(question)
    assert alone.answered
    assert same(pipeline.ask(question, history=history), alone)


def test_follow_up_is_led_by_the_last_substantive_question(pipeline: Pipeline) -> None:
    led = pipeline.ask(f"{NORTH} {SOUTH}")
    assert led.answered and not same(led, pipeline.ask(SOUTH))
    assert same(pipeline.ask(SOUTH, history=[NORTH]), led)
    chat = [Turn(role="user", content="hi"), Turn(role="user", content=NORTH)]
    chat += [Turn(role="assistant", content="Russia does not want a war in Korea [1].")]
    chat += [Turn(role="user", content="thanks!")]
    assert same(pipeline.ask(SOUTH, history=chat), led)
