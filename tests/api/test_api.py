"""Every endpoint and every bad input, through HTTP against the real pipeline."""

from __future__ import annotations

import json
import random
import re
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from api.app import create_app
from ingest.library import LibraryWriter
from rag.embeddings import SentenceTransformerEmbedder
from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.api.conftest import corpus_files
from tests.conftest import free_port
from tests.utils import hostile_pdfs as hostile
from tests.utils.pdfs import make_pdf
from tests.utils.servers import serving

QUESTION = "What are Russia's two fundamental interests concerning the Korean peninsula?"
PAPER1 = "russia-korea-policy-21st-century"
# One flipped bit in a `/FlateDecode`: pypdf raised NotImplementedError, uploads got 500.
ODD_FILTER_PDF = hostile.flip_a_bit_in_a_filter_name(
    hostile.pages_pdf([zlib.compress(hostile.TEXT_OPS)]), random.Random(0)
)


def assert_error(r: httpx.Response, status: int, error: str, detail: str = "") -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == error and detail in body["detail"]
    assert body["request_id"] == r.headers["x-request-id"]
    assert "Traceback" not in r.text


def test_ask_answers_with_citations(client: httpx.Client) -> None:
    r = client.post("/ask", json={"question": QUESTION, "top_k": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["answered"] and body["backend"] == "extractive"
    assert "Second, Russia does not want a war in Korea." in body["answer"]
    cite = body["citations"][0]
    assert {"paper_id", "title", "authors", "year", "page", "section", "text"} <= cite.keys()
    assert cite["paper_id"] == PAPER1 and (cite["page"], cite["page_label"]) == (1, "31")
    assert body["timings_ms"]["total"] > 0


def test_ask_refuses_and_follows_up(client: httpx.Client) -> None:
    refused = client.post("/ask", json={"question": "Give me a recipe for apple pie."}).json()
    assert not refused["answered"] and refused["related"] and not refused["citations"]
    follow = client.post(
        "/ask",
        json={
            "question": "And what about South Korea?",
            "history": [{"role": "user", "content": QUESTION}],
            "papers": [PAPER1],
        },
    ).json()
    assert follow["answered"] and {c["paper_id"] for c in follow["citations"]} == {PAPER1}


def test_stream_sends_citations_tokens_then_done(client: httpx.Client) -> None:
    events: list[tuple[str, str]] = []
    with client.stream("POST", "/ask/stream", json={"question": QUESTION}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        event = ""
        for line in r.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                events.append((event, line.split(":", 1)[1].strip()))
    kinds = [e for e, _ in events]
    assert kinds[0] == "citations" and kinds[-1] == "done"
    assert kinds.count("token") >= 2 and set(kinds[1:-1]) == {"token"}
    done = json.loads(events[-1][1])
    text = "".join(json.loads(d) for e, d in events if e == "token")
    assert text == done["answer"] and re.search(r"\[\d+\]", text)
    assert json.loads(events[0][1])[0]["n"] == 1


def test_stream_reports_a_timeout_as_an_error_event(
    api_settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    slow = api_settings.model_copy(update={"request_timeout_s": 0.000001})
    app = create_app(slow, Pipeline(slow, embedder=embedder, writer=LibraryWriter()))
    with serving(app, free_port()) as url, httpx.Client(base_url=url, timeout=60) as c:
        assert_error(c.post("/ask", json={"question": QUESTION}), 504, "timeout")
        r = c.post("/ask/stream", json={"question": QUESTION})
        assert "event: error" in r.text and '"timeout"' in r.text


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        ({"question": ""}, "question: must not be empty"),
        ({"question": "   "}, "question: must not be empty"),
        ({"question": "x" * 2001}, "question: longer than 2000"),
        ({"question": "ok?", "top_k": 0}, "top_k"),
        ({"question": "ok?", "top_k": 21}, "top_k"),
        ({"question": "ok?", "top_k": "many"}, "top_k"),
        ({"question": "ok?", "papers": ["nope"]}, "papers: unknown paper id(s): nope"),
        ({"top_k": 3}, "question: Field required"),
        ({"question": "ok?", "surprise": 1}, "surprise"),
        ({"question": "ok?", "history": [{"role": "robot", "content": "x"}]}, "history.0.role"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: httpx.Client, payload: dict[str, object], detail: str
) -> None:
    assert_error(client.post("/ask", json=payload), 422, "invalid_input", detail)
    assert_error(client.post("/ask/stream", json=payload), 422, "invalid_input", detail)


def test_malformed_json_wrong_type_and_huge_bodies(client: httpx.Client) -> None:
    headers = {"content-type": "application/json"}
    assert_error(
        client.post("/ask", content=b'{"question": ', headers=headers),
        422,
        "invalid_input",
        "malformed JSON",
    )
    assert_error(
        client.post("/ask", content=b"question=hi", headers={"content-type": "text/plain"}),
        422,
        "invalid_input",
        "body",
    )
    assert_error(
        client.post("/ask", json={"question": "x" * 70_000}), 413, "too_large", "65536 bytes"
    )


def test_papers_passages_health_metrics(client: httpx.Client) -> None:
    papers = client.get("/papers").json()
    assert {p["id"] for p in papers} >= {PAPER1, "russia-korean-crisis-2018"}
    koslov = client.get("/papers/russia-korean-crisis-2018").json()
    assert koslov["authors"] == ["Anton Koslov"] and koslov["year"] == 2018
    assert koslov["pages"] == 5 and koslov["chunks"] > 5
    assert_error(client.get("/papers/nope"), 404, "not_found", "nope")
    cite = client.post("/ask", json={"question": QUESTION}).json()["citations"][0]
    view = client.get(f"/passages/{cite['chunk_id']}").json()
    assert view["passage"]["text"] == cite["text"] and view["passage"]["page"] == cite["page"]
    assert view["before"] or view["after"]
    assert_error(client.get("/passages/no:such"), 404, "not_found")
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["backend"] == "extractive"
    assert health["chunks"] == sum(p["chunks"] for p in papers)
    metrics = client.get("/metrics").text
    assert "http_requests_total" in metrics or "http_request_duration" in metrics
    assert_error(client.get("/no/such/route"), 404, "not_found")
    assert_error(client.put("/ask", json={}), 405, "method_not_allowed")


def test_cite_exports_each_format_and_names_bad_input(client: httpx.Client) -> None:
    r = client.get("/papers/russia-korean-crisis-2018/cite", params={"format": "bibtex"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-bibtex")
    assert r.text.startswith("@article{russia-korean-crisis-2018,") and "Anton Koslov" in r.text
    assert client.get(f"/papers/{PAPER1}/cite").text.startswith(f"@misc{{{PAPER1},")
    ris = client.get(f"/papers/{PAPER1}/cite", params={"format": "ris"})
    assert ris.text.startswith("TY  - GEN") and "SP  - 31" in ris.text
    csl = client.get(f"/papers/{PAPER1}/cite", params={"format": "csl-json"}).json()
    assert csl[0]["title"] == "Russia's Korea Policy in the 21st Century"
    assert_error(client.get("/papers/nope/cite"), 404, "not_found", "nope")
    bad = client.get(f"/papers/{PAPER1}/cite", params={"format": "endnote"})
    assert_error(bad, 422, "invalid_input", "format:")


def test_openapi_has_an_example_for_every_request_and_response(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    for name in ("AskRequest", "AnswerPublic", "PaperInfo", "PassageView", "Health", "ErrorBody"):
        assert schema["components"]["schemas"][name].get("examples"), name
    assert {"/ask", "/ask/stream", "/papers", "/papers/{paper_id}", "/health"} <= set(
        schema["paths"]
    )


def test_upload_ask_and_delete_a_paper(
    client: httpx.Client, api_settings: Settings, tmp_path: Path
) -> None:
    pdf = make_pdf(
        tmp_path / "zebra.pdf",
        ["The Khasan zebra crossing was painted blue in 1999 by the Tumen River council."],
    )
    r = client.post(
        "/papers",
        files={"file": ("zebra.pdf", pdf.read_bytes(), "application/pdf")},
        data={
            "title": "Zebra Crossings of Khasan",
            "authors": "A. Painter; B. Brush",
            "year": "2001",
        },
    )
    assert r.status_code == 201, r.text
    paper = r.json()
    assert paper["title"] == "Zebra Crossings of Khasan" and paper["authors"] == [
        "A. Painter",
        "B. Brush",
    ]
    assert paper["id"] in {p["id"] for p in client.get("/papers").json()}
    answer = client.post(
        "/ask", json={"question": "What colour was the Khasan zebra crossing painted?"}
    ).json()
    assert answer["answered"] and "blue" in answer["answer"]
    assert answer["citations"][0]["paper_id"] == paper["id"]
    assert (api_settings.corpus_dir / f"{paper['id']}.pdf").is_file()
    assert (
        'title = "Zebra Crossings of Khasan"'
        in (api_settings.corpus_dir / "papers.toml").read_text()
    )

    assert client.delete(f"/papers/{paper['id']}").status_code == 204
    assert paper["id"] not in {p["id"] for p in client.get("/papers").json()}
    assert not (api_settings.corpus_dir / f"{paper['id']}.pdf").exists()
    assert "Zebra" not in (api_settings.corpus_dir / "papers.toml").read_text()
    assert_error(client.delete(f"/papers/{paper['id']}"), 404, "not_found")


@pytest.mark.parametrize(
    ("name", "data", "status", "detail"),
    [
        ("fake.pdf", b"this is not a pdf at all", 422, "not a PDF"),
        ("empty.txt", b"", 422, "empty"),
        ("latin1.txt", "caf\xe9 au lait".encode("latin-1"), 422, "UTF-8"),
        ("notes.docx", b"PK\x03\x04", 422, "unsupported file type"),
        ("looping.pdf", hostile.self_referencing_kid_pdf(), 422, "cannot read the PDF"),
        ("odd-filter.pdf", ODD_FILTER_PDF, 422, "does not support"),
        ("big.txt", b"a" * 250_000, 413, "over"),
    ],
)
def test_bad_uploads_leave_the_index_as_it_was(
    client: httpx.Client, api_settings: Settings, name: str, data: bytes, status: int, detail: str
) -> None:
    before_papers = client.get("/papers").json()
    before_files = corpus_files(api_settings)
    r = client.post("/papers", files={"file": (name, data, "application/octet-stream")})
    assert r.status_code == status, r.text
    assert detail in r.json()["detail"]
    assert client.get("/papers").json() == before_papers
    assert corpus_files(api_settings) == before_files


def test_api_key_guards_ask_and_changes(
    api_settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    locked = api_settings.model_copy(update={"api_key": SecretStr("s3cret-key")})
    app = create_app(locked, Pipeline(locked, embedder=embedder, writer=LibraryWriter()))
    with serving(app, free_port()) as url, httpx.Client(base_url=url, timeout=60) as c:
        body = {"question": QUESTION}
        assert_error(c.post("/ask", json=body), 401, "unauthorized")
        r = c.post("/ask", json=body, headers={"Authorization": "Bearer wrong"})
        assert_error(r, 401, "unauthorized")
        assert r.headers["www-authenticate"] == "Bearer"
        assert_error(c.post("/ask/stream", json=body), 401, "unauthorized")
        assert_error(c.delete(f"/papers/{PAPER1}"), 401, "unauthorized")
        ok = c.post("/ask", json=body, headers={"Authorization": "Bearer s3cret-key"})
        assert ok.status_code == 200 and ok.json()["answered"]
        assert c.get("/health").status_code == 200


def test_rate_limit_and_cors(api_settings: Settings, embedder: SentenceTransformerEmbedder) -> None:
    tight = api_settings.model_copy(
        update={"rate_limit": "3/minute", "cors_origins": ["http://127.0.0.1:5173"]}
    )
    app = create_app(tight, Pipeline(tight, embedder=embedder, writer=LibraryWriter()))
    with serving(app, free_port()) as url, httpx.Client(base_url=url, timeout=60) as c:
        pre = c.options(
            "/ask",
            headers={"Origin": "http://127.0.0.1:5173", "Access-Control-Request-Method": "POST"},
        )
        assert pre.headers.get("access-control-allow-origin") == "http://127.0.0.1:5173"
        evil = c.get("/health", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in evil.headers
        statuses = [c.get("/papers").status_code for _ in range(5)]
        assert 429 in statuses
        assert_error(c.get("/papers"), 429, "rate_limited")


def test_no_index_is_503_saying_run_ingest(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    empty = Settings(_env_file=None, corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data")
    app = create_app(empty, Pipeline(empty, embedder=embedder, writer=LibraryWriter()))
    with serving(app, free_port()) as url, httpx.Client(base_url=url, timeout=60) as c:
        assert_error(c.post("/ask", json={"question": QUESTION}), 503, "no_index", "rag ingest")
        assert_error(c.post("/ask/stream", json={"question": QUESTION}), 503, "no_index")
        assert c.get("/health").status_code == 503
        assert_error(c.get("/papers"), 503, "no_index")


def test_concurrent_asks_get_the_same_answers_as_one_at_a_time(client: httpx.Client) -> None:
    bodies = [
        {"question": QUESTION},
        {"question": "How far is Vladivostok from the North Korean border?"},
        {"question": "What did Russia agree about North Korea's debt?", "papers": [PAPER1]},
        {"question": "Give me a recipe for apple pie."},
    ] * 4
    alone = {json.dumps(b): client.post("/ask", json=b).json()["answer"] for b in bodies[:4]}
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda b: client.post("/ask", json=b), bodies))
    for body, reply in zip(bodies, replies, strict=True):
        assert reply.status_code == 200
        assert reply.json()["answer"] == alone[json.dumps(body)]
