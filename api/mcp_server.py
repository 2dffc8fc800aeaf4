"""`rag mcp`: the papers as a Model Context Protocol server, for agent clients.

Tools: `ask` (a cited answer or a refusal), `search_passages` (ranked passages with
paper and page, for an agent that writes its own answer) and `list_papers`; each paper
is also a resource, `paper://<id>`, holding its metadata and BibTeX. Bad input comes
back as a tool error naming the field, so the model can correct itself and the server
keeps serving. The pipeline is built when the server starts, never at import.

Over stdio, stdout carries the protocol alone: logs go to stderr.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from importlib.metadata import version
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.server.mcpserver.resources import FunctionResource
from pydantic import Field

from api.evidence import passage_boxes
from api.pdf_pages import PdfPages
from api.schemas import PaperInfo, RetrievedWithBoxes, Sources, sources
from rag.errors import InvalidInputError, NoIndexError, RagError
from rag.pipeline import Pipeline, ranked
from rag.settings import Settings, get_settings
from rag.types import TOP_K_HELP

T = TypeVar("T")
# Page texts read for boxes are kept here for the life of the process (bounded).
PAGES = PdfPages()
PipelineContext = Context[Pipeline, Any]
PapersArg = Annotated[list[str] | None, Field(description="Only these paper ids (list_papers).")]
TopKArg = Annotated[int, Field(description=TOP_K_HELP)]
INSTRUCTIONS = (
    "Answers questions from a fixed set of research papers, citing paper and page. Use "
    "`ask` for a finished, cited answer (or a plain statement that the papers do not "
    "say), `search_passages` to read the passages yourself, `list_papers` for paper ids."
)


class AskResult(Sources):
    """An answer whose every sentence cites a passage, or a refusal."""

    answer: str = Field(description="The answer text with [n] markers, or the refusal.")


def _pipeline(ctx: PipelineContext) -> Pipeline:
    return ctx.request_context.lifespan_context


def _as_tool_error(call: Callable[[], T]) -> T:
    """Run a pipeline call, turning project errors into tool errors the model can read.

    A bad argument's error starts with its name as the tool has it (`Pipeline.search`
    names its text `query`, as `search_passages` does), so the model can correct it.
    """
    try:
        return call()
    except InvalidInputError as exc:
        raise ToolError(exc.message) from exc
    except RagError as exc:
        raise ToolError(str(exc)) from exc


def ask(
    question: Annotated[str, Field(description="The question; 1 to 2,000 characters.")],
    ctx: PipelineContext,
    papers: PapersArg = None,
    top_k: TopKArg = 5,
) -> AskResult:
    """Answer a question from the papers, each sentence cited to paper and page."""
    pipeline = _pipeline(ctx)
    answer = _as_tool_error(lambda: pipeline.ask(question, papers=papers, top_k=top_k))
    return AskResult(answer=answer.answer, **sources(answer))


def search_passages(
    query: Annotated[str, Field(description="What to look for; 1 to 2,000 characters.")],
    ctx: PipelineContext,
    papers: PapersArg = None,
    top_k: TopKArg = 5,
) -> list[RetrievedWithBoxes]:
    """The passages that best match a query, ranked, each with its paper and page.

    A passage of a PDF paper also carries its sentences' boxes on its pages, so a client
    can show them highlighted (the server's `/papers/{id}/pages/{n}.png` draws the same).
    """
    pipeline = _pipeline(ctx)

    def search() -> list[RetrievedWithBoxes]:
        found = pipeline.search(query, papers=papers, top_k=top_k)
        indexed = pipeline.papers()
        return [
            RetrievedWithBoxes(
                **ranked(i, p).model_dump(),
                pages=passage_boxes(PAGES, pipeline.settings, p, indexed.get(p.paper_id)),
            )
            for i, p in enumerate(found, start=1)
        ]

    return _as_tool_error(search)


def list_papers(ctx: PipelineContext) -> list[PaperInfo]:
    """Every indexed paper: id, title, authors, year, pages and passages indexed."""
    pipeline = _pipeline(ctx)
    papers = _as_tool_error(pipeline.papers)
    return [PaperInfo.of(r) for r in sorted(papers.values(), key=lambda r: r.meta.title)]


def paper_resource(pipeline: Pipeline, paper_id: str) -> str:
    """A paper's metadata and BibTeX citation, as JSON."""
    record = pipeline.paper(paper_id)
    if record is None:
        raise ResourceNotFoundError(f"no paper with id {paper_id!r}")
    return json.dumps(
        {**PaperInfo.of(record).model_dump(), "bibtex": pipeline.cite(paper_id)}, indent=2
    )


def read_paper(paper_id: str, ctx: PipelineContext) -> str:
    """A paper's metadata and BibTeX citation, for papers indexed after the server started."""
    return paper_resource(_pipeline(ctx), paper_id)


def create_server(settings: Settings | None = None) -> MCPServer[Pipeline]:
    """An MCP server over the papers; the pipeline is built when it starts serving."""

    @asynccontextmanager
    async def lifespan(server: MCPServer[Pipeline]) -> AsyncIterator[Pipeline]:
        pipeline = await anyio.to_thread.run_sync(partial(Pipeline, settings or get_settings()))
        try:
            papers = pipeline.papers()
        except NoIndexError:
            papers = {}
        for pid, record in sorted(papers.items()):
            server.add_resource(
                FunctionResource.from_function(
                    partial(paper_resource, pipeline, pid),
                    uri=f"paper://{pid}",
                    name=pid,
                    title=record.meta.title,
                    description=f"Metadata and BibTeX of {record.meta.title}.",
                    mime_type="application/json",
                )
            )
        yield pipeline

    server: MCPServer[Pipeline] = MCPServer(
        "papers-rag",
        instructions=INSTRUCTIONS,
        version=version("papers-rag"),
        lifespan=lifespan,
        log_level="WARNING",
    )
    for tool in (ask, search_passages, list_papers):
        server.add_tool(tool)
    server.resource("paper://{paper_id}", name="paper", mime_type="application/json")(read_paper)
    return server
