"""`--judge llm`: claim splitting and verdicts, then the real llama.cpp server end to end.

The verdict logic runs on scripted replies from langchain-core's fake chat model,
since no instruct model runs here; the bundled gemma base model then drives the same
code through a real OpenAI-compatible server, where only the structure is asserted.
"""

from __future__ import annotations

import json
from pathlib import Path

from langchain_core.language_models import FakeListChatModel

from eval.llm_judge import LLMJudge, parse_claims, parse_verdicts
from rag.llm import ChatBackend
from rag.settings import Settings
from tests.conftest import free_port
from tests.utils.cli import run_rag

PASSAGE = "Moscow suspended economic aid to Pyongyang in 1991."


def scripted(*replies: str) -> LLMJudge:
    return LLMJudge(ChatBackend("scripted", FakeListChatModel(responses=list(replies))))


def test_replies_are_parsed_line_by_line() -> None:
    assert parse_claims("- Moscow suspended aid.\n* In 1991.\n1. To Pyongyang.\nnoise") == [
        "Moscow suspended aid.",
        "In 1991.",
        "To Pyongyang.",
    ]
    assert parse_verdicts("1: yes - stated\n2: NO - not said", 2) == [
        (True, "stated"),
        (False, "not said"),
    ]
    assert parse_verdicts("1: yes", 2) is None


def test_sentence_is_supported_only_when_every_claim_is() -> None:
    both = scripted("- Moscow suspended aid.\n- It was in 1991.", "1: yes - said\n2: yes - said")
    verdict = both.judge("Moscow suspended aid in 1991.", [PASSAGE])
    assert verdict.supported and verdict.score == 1.0
    half = scripted("- Moscow suspended aid.\n- It was in 1995.", "1: yes - said\n2: no - 1991")
    verdict = half.judge("Moscow suspended aid in 1995.", [PASSAGE])
    assert not verdict.supported and verdict.score == 0.5
    assert "It was in 1995. (1991)" in verdict.reason
    garbled = scripted("- One claim.", "I think so.")
    verdict = garbled.judge("Moscow suspended aid.", [PASSAGE])
    assert not verdict.supported and "unreadable" in verdict.reason


def test_judge_failure_is_a_verdict_not_a_crash(indexed_settings: Settings) -> None:
    from rag.llm import load_backend

    down = indexed_settings.model_copy(
        update={"backend": "openai", "llm_base_url": f"http://127.0.0.1:{free_port()}/v1"}
    )
    backend = load_backend(down)
    assert backend is not None
    verdict = LLMJudge(backend).judge("Moscow suspended aid.", [PASSAGE])
    assert not verdict.supported and verdict.reason.startswith("judge failed")


def test_rag_eval_with_the_llm_judge_on_a_real_server(
    indexed_settings: Settings, llama_server: str, tmp_path: Path
) -> None:
    env = {
        "RAG_BACKEND": "openai",
        "RAG_LLM_BASE_URL": llama_server,
        "RAG_LLM_MODEL": "gemma",
        "RAG_LLM_MAX_TOKENS": "64",
    }
    args = ["eval", "--judge", "llm", "--limit", "1", "--no-calibrate", "--out", str(tmp_path)]
    done = run_rag(args, indexed_settings.corpus_dir, indexed_settings.data_dir, env)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["judge"] == "llm (openai)"
    question = report["questions"][0]
    assert question["answered"] and question["sentences"]
    for sentence in question["sentences"]:
        assert 0.0 <= sentence["score"] <= 1.0
        assert sentence["supported"] or sentence["reason"]
