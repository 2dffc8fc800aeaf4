"""An embedded index private_index by processes: a server keeps answering while others write it.

Chroma's embedded client keeps the HNSW graph in memory and never sees vectors another
process wrote; before the fix, every unscoped ask after another process's ingest was a
500 ("Error finding id") until the server was restarted.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from rag.settings import Settings
from tests.utils.chroma import lose_vectors
from tests.utils.cli import run_rag
from tests.utils.servers import rag_serve, serve_env

NEW_PAPER = """# Orchard irrigation trials

The trial watered pear orchards by drip lines at night. Drip irrigation at night cut
water use by 31 percent against sprinklers. Yields of the pear trees stayed the same in
both seasons. The orchards lay in a dry valley with sandy soil.
"""
NEW_QUESTION = "By how much did drip irrigation at night cut water use?"
OLD_QUESTION = "How far is Vladivostok from the North Korean border?"
PATIENCE_S = 180


def ask_everywhere(url: str, question: str) -> list[httpx.Response]:
    """The question through /ask, /ask/stream and /v1/chat/completions."""
    with httpx.Client(base_url=url, timeout=120) as client:
        return [
            client.post("/ask", json={"question": question}),
            client.post("/ask/stream", json={"question": question}),
            client.post(
                "/v1/chat/completions",
                json={
                    "model": "papers-extractive",
                    "messages": [{"role": "user", "content": question}],
                },
            ),
        ]


def test_a_server_answers_after_another_process_ingests(
    private_index: Settings, tmp_path: Path
) -> None:
    with rag_serve(serve_env(private_index), tmp_path) as server:
        assert all(r.status_code == 200 for r in ask_everywhere(server.url, OLD_QUESTION))
        paper = private_index.corpus_dir / "orchards.md"
        paper.write_text(NEW_PAPER, "utf-8")
        done = run_rag(
            ["ingest"],
            private_index.corpus_dir,
            private_index.data_dir,
            env=serve_env(private_index),
        )
        assert done.returncode == 0, done.stdout + done.stderr

        for question in (OLD_QUESTION, NEW_QUESTION):
            responses = ask_everywhere(server.url, question)
            assert [r.status_code for r in responses] == [200, 200, 200], [
                r.text[:300] for r in responses
            ]
            assert "event: error" not in responses[1].text
        answer = httpx.post(f"{server.url}/ask", json={"question": NEW_QUESTION}, timeout=60)
        assert answer.json()["answered"]
        assert {c["paper_id"] for c in answer.json()["citations"]} == {"orchards"}
        health = httpx.get(f"{server.url}/health", timeout=60)
        assert health.status_code == 200 and health.json()["papers"] == 3


def test_an_upload_to_one_worker_leaves_the_other_answering(
    private_index: Settings, tmp_path: Path
) -> None:
    with rag_serve(serve_env(private_index), tmp_path, workers=2) as server:
        by_worker = answers_by_worker(server.url, OLD_QUESTION)
        upload = httpx.post(
            f"{server.url}/papers",
            files={"file": ("orchards.md", NEW_PAPER.encode(), "text/markdown")},
            timeout=300,
        )
        assert upload.status_code == 201, upload.text
        after = answers_by_worker(server.url, NEW_QUESTION)
        assert set(after) == set(by_worker)
        for bodies in after.values():
            assert all(b["answered"] for b in bodies)
            assert all({c["paper_id"] for c in b["citations"]} == {"orchards"} for b in bodies)


def answers_by_worker(url: str, question: str) -> dict[str, list[dict[str, Any]]]:
    """Ask on fresh connections until both workers have answered; every ask must be 200."""
    seen: dict[str, list[dict[str, Any]]] = {}
    deadline = time.monotonic() + PATIENCE_S
    while len(seen) < 2 or sum(map(len, seen.values())) < 6:
        response = httpx.post(f"{url}/ask", json={"question": question}, timeout=60)
        assert response.status_code == 200, response.text
        seen.setdefault(response.headers["x-worker-pid"], []).append(response.json())
        if time.monotonic() > deadline:
            pytest.fail(f"only worker(s) {sorted(seen)} answered in {PATIENCE_S} s")
    return seen


def test_health_and_ask_report_a_broken_index(private_index: Settings, tmp_path: Path) -> None:
    lose_vectors(private_index.resolved_chroma_path)
    with rag_serve(serve_env(private_index), tmp_path, ready="/openapi.json") as server:
        health = httpx.get(f"{server.url}/health", timeout=60)
        assert health.status_code == 503
        assert health.json()["status"].startswith("index broken")
        deep = httpx.get(f"{server.url}/health", params={"deep": 1}, timeout=60)
        assert deep.status_code == 503
        ask = httpx.post(f"{server.url}/ask", json={"question": OLD_QUESTION}, timeout=60)
        assert ask.status_code == 503, ask.text
        assert ask.json()["error"] == "index_broken"


def test_deep_health_checks_a_sound_index(private_index: Settings, tmp_path: Path) -> None:
    with rag_serve(serve_env(private_index), tmp_path) as server:
        deep = httpx.get(f"{server.url}/health", params={"deep": 1}, timeout=60).json()
    assert deep["status"] == "ok"
    assert deep["check"]["sampled"] == deep["check"]["found"] > 0
    assert deep["check"]["missing"] == []
