"""Where an in-process ask spends its time: pyinstrument samples grouped into pipeline stages.

Each sampled frame's own time goes to the innermost enclosing function this table
names, so a stage's share excludes the stages nested in it (the LangChain retriever
plumbing excludes the searches it calls, for instance).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from pyinstrument import Profiler
from pyinstrument.frame import Frame

from rag.pipeline import Pipeline

# (end of the file path, function name, class name or None for any) -> stage
STAGES: dict[tuple[str, str, str | None], str] = {
    ("rag/pipeline.py", "ask", "Pipeline"): "other pipeline work (validation, pydantic models)",
    ("rag/snapshot.py", "current", None): "index snapshot check (one registry read)",
    ("rag/answering/question.py", "analyse", None): "question analysis",
    ("langchain_core/retrievers.py", "invoke", None): "LangChain retriever plumbing",
    ("rag/embeddings.py", "embed_query", None): "query embedding (MiniLM)",
    ("chromadb/api/models/Collection.py", "query", None): "Chroma vector search",
    ("rag/retrieval.py", "_exact", "DenseRetriever"): "exact vector search (one product)",
    ("rag/retrieval.py", "_get_relevant_documents", "BM25Retriever"): "BM25 search",
    ("rag/retrieval.py", "reciprocal_rank_fusion", None): "rank fusion",
    ("rag/answering/sentence_scoring.py", "pick_sentences", None): "answering: picking sentences",
    ("rag/answering/refusal.py", "judge_evidence", None): "answering: refusal check",
    ("rag/answering/composition.py", "compose", None): "answering: composing",
    ("rag/pipeline.py", "ranked", None): "other pipeline work (validation, pydantic models)",
}


@dataclass(frozen=True)
class Profile:
    """Seconds sampled per stage, over `asks` asks."""

    asks: int
    seconds: dict[str, float]

    @property
    def total(self) -> float:
        """Seconds sampled inside `Pipeline.ask`."""
        return sum(self.seconds.values())


def _stage(frame: Frame) -> str | None:
    path = (frame.file_path or "").replace("\\", "/")
    for (suffix, function, cls), label in STAGES.items():
        if frame.function == function and path.endswith(suffix) and cls in (None, frame.class_name):
            return label
    return None


def _attribute(frame: Frame, stage: str | None, into: defaultdict[str, float]) -> None:
    stage = _stage(frame) or stage
    own = frame.time - sum(child.time for child in frame.children)
    if stage is not None and own > 0:
        into[stage] += own
    for child in frame.children:
        _attribute(child, stage, into)


def profile_asks(pipeline: Pipeline, questions: list[str], rounds: int) -> Profile:
    """Profile `rounds` passes over `questions` (warmed up first) and group the samples."""
    for q in questions:
        pipeline.ask(q)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(rounds):
        for q in questions:
            pipeline.ask(q)
    profiler.stop()
    root = profiler.last_session.root_frame() if profiler.last_session else None
    seconds: defaultdict[str, float] = defaultdict(float)
    if root is not None:
        _attribute(root, None, seconds)
    return Profile(asks=rounds * len(questions), seconds=dict(seconds))
