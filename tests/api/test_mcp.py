"""The official MCP SDK client starts `rag mcp` over stdio and uses every tool and resource."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, TextContent

from rag.settings import Settings

RAG = str(Path(sys.executable).parent / "rag")
QUESTION = "What are Russia's two fundamental interests concerning the Korean peninsula?"
PAPERS = {"russia-korea-policy-21st-century", "russia-korean-crisis-2018"}


def text_of(result: CallToolResult) -> str:
    return " ".join(c.text for c in result.content if isinstance(c, TextContent))


async def call(session: ClientSession, tool: str, args: dict[str, Any]) -> Any:
    result = await session.call_tool(tool, args)
    assert not result.is_error, text_of(result)
    return result.structured_content


async def use_every_tool(session: ClientSession) -> None:
    tools = {t.name: t for t in (await session.list_tools()).tools}
    assert set(tools) == {"ask", "search_passages", "list_papers"}
    assert {"question", "papers", "top_k"} <= set(tools["ask"].input_schema["properties"])

    papers = (await call(session, "list_papers", {}))["result"]
    assert {p["id"] for p in papers} == PAPERS

    found = await call(
        session, "search_passages", {"query": "Vladivostok North Korean border", "top_k": 3}
    )
    passages = found["result"]
    assert len(passages) == 3 and [p["rank"] for p in passages] == [1, 2, 3]
    assert all(p["paper_id"] in PAPERS and p["page"] >= 1 and p["text"] for p in passages)
    assert "Vladivostok" in passages[0]["text"]
    assert all(p["pages"] == [] for p in passages)  # text papers have no page boxes
    assert passages[0]["paper_id"] == "russia-korean-crisis-2018"

    answer = await call(session, "ask", {"question": QUESTION})
    assert answer["answered"] and "[1]" in answer["answer"]
    assert answer["citations"][0]["paper_id"] == "russia-korea-policy-21st-century"
    assert answer["citations"][0]["page_label"] == "31"
    refusal = await call(session, "ask", {"question": "Give me a recipe for apple pie."})
    assert not refusal["answered"] and refusal["related"]


async def bad_calls_are_tool_errors(session: ClientSession) -> None:
    bad: list[tuple[str, dict[str, Any], str]] = [
        ("ask", {"question": QUESTION, "top_k": 0}, "top_k: must be between 1 and 20"),
        ("ask", {"question": "  "}, "question: must not be empty"),
        ("search_passages", {"query": ""}, "query: must not be empty"),
        ("search_passages", {"query": "debt", "papers": ["nope"]}, "papers: unknown paper"),
        ("ask", {"question": QUESTION, "top_k": "many"}, "top_k"),
        ("ask", {}, "question"),
    ]
    for tool, args, names in bad:
        result = await session.call_tool(tool, args)
        assert result.is_error and names in text_of(result), (tool, args, text_of(result))


async def papers_are_resources(session: ClientSession) -> None:
    listed = {str(r.uri) for r in (await session.list_resources()).resources}
    assert listed == {f"paper://{p}" for p in PAPERS}
    templates = (await session.list_resource_templates()).resource_templates
    assert [t.uri_template for t in templates] == ["paper://{paper_id}"]
    read = await session.read_resource("paper://russia-korean-crisis-2018")
    paper = json.loads(getattr(read.contents[0], "text", ""))
    assert paper["authors"] == ["Anton Koslov"]
    assert paper["bibtex"].startswith("@article{russia-korean-crisis-2018,")
    with pytest.raises(MCPError, match="nope"):
        await session.read_resource("paper://nope")


async def session_over_stdio(settings: Settings) -> None:
    with anyio.fail_after(300):
        await _session(settings)


async def _session(settings: Settings) -> None:
    env = {"RAG_CORPUS_DIR": str(settings.corpus_dir), "RAG_DATA_DIR": str(settings.data_dir)}
    server = StdioServerParameters(command=RAG, args=["mcp"], env=env)
    async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        await use_every_tool(session)
        await bad_calls_are_tool_errors(session)
        await use_every_tool(session)  # the server kept serving after the errors
        await papers_are_resources(session)


def test_rag_mcp_over_stdio_serves_tools_errors_and_resources(indexed_settings: Settings) -> None:
    anyio.run(session_over_stdio, indexed_settings)
