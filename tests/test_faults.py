"""Fault injection: a server under askers while another process ingests and is killed.

A `rag serve` over an embedded index, eight askers, an upload and a delete through the
API, and a `rag ingest` in a second process killed with SIGKILL at a point drawn from a
fixed seed. Afterwards (and one more `rag ingest` to recover) every paper must be in
the index once with its chunk count, the corpus must hold no orphan file or catalog
entry, and no ask may have got a 5xx.
"""

from __future__ import annotations

import random
import subprocess
import threading
import time
import tomllib
from collections import Counter
from pathlib import Path

import httpx

from ingest.catalog import discover
from ingest.indexer import ingest
from ingest.library import STAGING_DIR
from rag.embeddings import SentenceTransformerEmbedder
from rag.index_check import self_check
from rag.settings import Settings
from rag.store import ChunkStore
from tests.utils.cli import RAG, run_rag
from tests.utils.papers import field_paper
from tests.utils.servers import rag_serve, serve_env

SEED = 14
ASKERS = 8
NEW_PAPERS = 4
QUESTIONS = [
    "How far is Vladivostok from the North Korean border?",
    "What are Russia's two fundamental interests concerning the Korean peninsula?",
    "How many cranes nested at the lake in spring?",
    "What did the survey of river otters find?",
]


def test_a_killed_writer_beside_a_busy_server_leaves_a_sound_index(
    corpus: Path, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    rng = random.Random(SEED)
    settings = Settings(_env_file=None, corpus_dir=corpus, data_dir=tmp_path / "data")
    assert not ingest(None, settings, embedder=embedder).failed
    victim = sorted(ChunkStore.open(settings).papers())[0]
    env = serve_env(settings)
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    stop = threading.Event()

    with rag_serve(env, tmp_path) as server:

        def asker(k: int) -> None:
            with httpx.Client(base_url=server.url, timeout=120) as client:
                i = k
                while not stop.is_set():
                    response = client.post("/ask", json={"question": QUESTIONS[i % 4]})
                    statuses[response.status_code] += 1
                    if response.status_code >= 500:
                        failures.append(response.text[:300])
                    i += 1

        askers = [threading.Thread(target=asker, args=(k,)) for k in range(ASKERS)]
        for t in askers:
            t.start()
        for n in range(NEW_PAPERS):
            (corpus / f"survey-{n}.md").write_text(field_paper(n, 300), "utf-8")
        writer = subprocess.Popen(
            [RAG, "ingest"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        changes: dict[str, int] = {}

        def upload() -> None:
            files = {"file": ("uploaded.md", field_paper(99, 200).encode(), "text/markdown")}
            changes["upload"] = httpx.post(
                f"{server.url}/papers", files=files, timeout=300
            ).status_code

        def delete() -> None:
            changes["delete"] = httpx.delete(
                f"{server.url}/papers/{victim}", timeout=300
            ).status_code

        changers = [threading.Thread(target=upload), threading.Thread(target=delete)]
        for t in changers:
            t.start()
        time.sleep(rng.uniform(1.0, 12.0))
        writer.kill()
        writer.wait()
        for t in changers:
            t.join()
        stop.set()
        for t in askers:
            t.join()

    assert not failures, failures[:3]
    assert sum(statuses.values()) > 0 and set(statuses) <= {200}, statuses
    assert changes == {"upload": 201, "delete": 204}

    done = run_rag(["ingest"], corpus, settings.data_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert_sound(settings, gone=victim)


def assert_sound(settings: Settings, gone: str) -> None:
    """Every paper indexed once with its chunk count; corpus, catalog and index agree."""
    store = ChunkStore.open(settings)
    papers = store.papers()
    got = store.chunks.get(include=["metadatas"])
    per_paper = Counter(
        (str(md["paper_id"]), str(md["content_hash"])) for md in got["metadatas"] or []
    )
    assert per_paper == Counter(
        {(pid, rec.content_hash): rec.chunk_count for pid, rec in papers.items()}
    )
    assert gone not in papers
    files = {p.name for p in discover([settings.corpus_dir])}
    assert files == {str(rec.meta.source) for rec in papers.values()}
    catalog = tomllib.loads((settings.corpus_dir / "papers.toml").read_text("utf-8"))
    assert {e["file"] for e in catalog["paper"]} <= files
    assert not list((settings.corpus_dir / STAGING_DIR).glob("*.change.json"))
    assert self_check(store, papers, sample=1000).ok
