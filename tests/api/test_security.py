"""Pages of other sites and DNS rebinding cannot change the papers (issue 14, finding 3).

With no API key (the default) a page anywhere could post a paper with a `no-cors` fetch,
which CORS never stops. Changes are refused by `Origin` / `Sec-Fetch-Site`, every
request by `Host`; clients that are not browsers (no such headers) still pass. Checked
over HTTP against a real server, and with a real page in headless chromium.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from playwright.sync_api import sync_playwright

from api.app import create_app
from ingest.library import LibraryWriter
from rag.embeddings import SentenceTransformerEmbedder
from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.api.conftest import corpus_files
from tests.api.test_browser import CHROMIUM
from tests.conftest import free_port
from tests.utils.servers import serving

PAPER1 = "russia-korea-policy-21st-century"
QUESTION = "How far is Vladivostok from the North Korean border?"
PLANTED = (
    b"Planted Findings\n\nThe planted paper says the Khasan bridge was painted green in 1997 "
    b"by the Tumen council. The council chose green because the river is green in spring.\n"
)
ALLOWED_SITE = "http://127.0.0.1:5173"


def port_of(url: str) -> str:
    return url.rsplit(":", 1)[1]


def other_sites(api_url: str) -> list[dict[str, str]]:
    """Headers a browser sends with a request from another site's page."""
    port = port_of(api_url)
    return [
        {"Origin": "http://evil.example"},
        {"Origin": "http://127.0.0.1:9", "Sec-Fetch-Site": "same-site"},  # same host, other port
        {"Origin": f"https://127.0.0.1:{port}"},  # same host and port, other scheme
        {"Origin": "null"},  # a sandboxed frame or a file: page
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ]


def changes(c: httpx.Client, headers: dict[str, str]) -> Iterator[httpx.Response]:
    """Every kind of change the API takes, sent with these headers one at a time."""
    chat = {"model": "papers-extractive", "messages": [{"role": "user", "content": QUESTION}]}
    yield c.post("/papers", files={"file": ("planted.txt", PLANTED, "text/plain")}, headers=headers)
    yield c.delete(f"/papers/{PAPER1}", headers=headers)
    yield c.post("/ask", json={"question": QUESTION}, headers=headers)
    yield c.post("/ask/stream", json={"question": QUESTION}, headers=headers)
    yield c.post("/v1/chat/completions", json=chat, headers=headers)


def test_changes_from_other_sites_are_refused(
    client: httpx.Client, api_url: str, api_settings: Settings
) -> None:
    papers, files = client.get("/papers").json(), corpus_files(api_settings)
    for headers in other_sites(api_url):
        for r in changes(client, headers):
            assert r.status_code == 403, (headers, r.request.url, r.text)
            body = r.json()
            if r.request.url.path.startswith("/v1/"):
                assert body["error"]["code"] == "cross_site"
                assert body["error"]["type"] == "permission_error"
            else:
                assert body["error"] == "cross_site" and "RAG_CORS_ORIGINS" in body["detail"]
                assert body["request_id"] == r.headers["x-request-id"]
    assert client.get("/papers").json() == papers
    assert corpus_files(api_settings) == files
    # Not the file: the same upload from a client that is not a browser is taken.
    added = client.post("/papers", files={"file": ("planted.txt", PLANTED, "text/plain")})
    assert added.status_code == 201, added.text
    assert client.delete(f"/papers/{added.json()['id']}").status_code == 204


def test_own_pages_other_clients_and_reads_pass(client: httpx.Client, api_url: str) -> None:
    own_page = [
        {},  # curl, SDKs: not a browser
        {"Origin": api_url, "Sec-Fetch-Site": "same-origin"},
        {
            "Origin": api_url.replace("127.0.0.1", "localhost"),
            "Host": f"localhost:{port_of(api_url)}",
        },
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed into the address bar
    ]
    for headers in own_page:
        r = client.post("/ask", json={"question": QUESTION}, headers=headers)
        assert r.status_code == 200 and r.json()["answered"], (headers, r.text)
    for headers in other_sites(api_url):
        assert client.get("/papers", headers=headers).status_code == 200, headers


@pytest.fixture(scope="module")
def cors_url(api_settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[str]:
    """A server that lets the pages of one other site call it (RAG_CORS_ORIGINS)."""
    settings = api_settings.model_copy(update={"cors_origins": [ALLOWED_SITE]})
    with serving(
        create_app(settings, Pipeline(settings, embedder=embedder, writer=LibraryWriter())),
        free_port(),
    ) as url:
        yield url


def test_an_allowed_site_may_change_and_others_still_may_not(cors_url: str) -> None:
    with httpx.Client(base_url=cors_url, timeout=60) as c:
        site = {"Origin": ALLOWED_SITE, "Sec-Fetch-Site": "same-site"}
        r = c.post("/ask", json={"question": QUESTION}, headers=site)
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == ALLOWED_SITE
        other = {"Origin": "http://127.0.0.1:5174", "Sec-Fetch-Site": "same-site"}
        assert c.post("/ask", json={"question": QUESTION}, headers=other).status_code == 403
        assert c.post("/ask", json={"question": QUESTION}).status_code == 200


def test_unknown_host_names_are_refused_so_dns_rebinding_cannot_reach_the_api(
    client: httpx.Client, api_url: str
) -> None:
    port = port_of(api_url)
    for host in ("rebind.evil.example", f"rebind.evil.example:{port}", "127.0.0.1.evil.example"):
        for r in (
            client.get("/papers", headers={"Host": host}),
            client.post("/ask", json={"question": QUESTION}, headers={"Host": host}),
        ):
            assert r.status_code == 421, (host, r.text)
            body = r.json()
            assert body["error"] == "unknown_host" and "RAG_ALLOWED_HOSTS" in body["detail"]
            assert body["request_id"] == r.headers["x-request-id"]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "LOCALHOST"):
        assert client.get("/papers", headers={"Host": host}).status_code == 200, host


def test_a_deployment_serves_the_host_names_it_lists(
    api_settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    settings = api_settings.model_copy(
        update={"allowed_hosts": ["papers.example.org", "*.papers.example.net"]}
    )
    app = create_app(settings, Pipeline(settings, embedder=embedder, writer=LibraryWriter()))
    with serving(app, free_port()) as url, httpx.Client(base_url=url, timeout=60) as c:
        for host in ("papers.example.org", "eu.papers.example.net:8443"):
            assert c.get("/health", headers={"Host": host}).status_code == 200, host
        for host in ("127.0.0.1", "papers.example.net", "evilpapers.example.org"):
            assert c.get("/health", headers={"Host": host}).status_code == 421, host
        own = {"Host": "papers.example.org", "Origin": "http://papers.example.org"}
        assert c.post("/ask", json={"question": QUESTION}, headers=own).status_code == 200
        moved = {"Host": "papers.example.org", "Origin": "http://papers.example.org:8080"}
        assert c.post("/ask", json={"question": QUESTION}, headers=moved).status_code == 403


def attacker_site(api_url: str) -> FastAPI:
    """Another loopback origin whose page posts a paper to the API the way any page can."""
    page = f"""<!doctype html><title>loading</title><script>
      const form = new FormData();
      const text = {json.dumps(PLANTED.decode())};
      form.append("file", new Blob([text], {{type: "text/plain"}}), "planted.txt");
      fetch("{api_url}/papers", {{method: "POST", mode: "no-cors", body: form}})
        .then(() => {{ document.title = "sent"; }}, () => {{ document.title = "failed"; }});
    </script>"""
    site = FastAPI()

    @site.get("/", response_class=HTMLResponse)
    def home() -> str:
        return page

    return site


def test_a_page_on_another_origin_cannot_add_a_paper_in_chromium(
    client: httpx.Client, api_url: str, api_settings: Settings
) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (make test does, as root)")
    papers, files = client.get("/papers").json(), corpus_files(api_settings)
    with serving(attacker_site(api_url), free_port()) as site, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        tab = browser.new_page()
        with tab.expect_response(f"{api_url}/papers", timeout=60_000) as reply:
            tab.goto(site)
        assert reply.value.status == 403
        tab.wait_for_function("document.title === 'sent'", timeout=60_000)
        browser.close()
    assert client.get("/papers").json() == papers
    assert corpus_files(api_settings) == files
