"""Our retrieval against the LangChain RAG tutorial pipeline a user would otherwise copy.

The baseline is built here, the tutorial's way: `RecursiveCharacterTextSplitter` with
1,000 characters and 200 of overlap, a `langchain_chroma.Chroma` store with its default
settings, and `similarity_search(question, k=4)`. It gets the same embedding model and
the same text our ingest indexes (each paper loaded and cleaned by `ingest/`, body then
footnotes). It embeds questions the way the tutorial's `HuggingFaceEmbeddings` does,
with sentence-transformers on torch, where ours go through ONNX Runtime
(`RAG_EMBEDDING_QUERY_RUNTIME`); so chunking, retrieval and the question's embedding
differ, and the passages are embedded alike.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from eval.metrics import evidence_recall, reciprocal_rank
from eval.questions import EvalQuestion
from ingest.catalog import discover, load_catalog, paper_id_for
from ingest.clean import clean
from ingest.loaders import load
from rag.embeddings import SentenceTransformerEmbedder
from rag.pipeline import Pipeline

TUTORIAL_CHUNK_SIZE = 1000
TUTORIAL_OVERLAP = 200
TUTORIAL_K = 4
OUR_K = 5


@dataclass(frozen=True)
class RetrievalScore:
    """One system's retrieval on the answerable eval questions."""

    system: str
    k: int
    chunks: int
    recall: float
    mrr: float
    context_chars: float
    median_ms: float


def paper_texts(corpus: Path) -> list[Document]:
    """Each paper's cleaned text as one document, as our ingest sees it before chunking."""
    catalog = load_catalog(corpus)
    docs = []
    for path in discover([corpus]):
        meta = catalog.get(path.name)
        cleaned = clean(
            load(path),
            meta.title if meta else None,
            meta.authors if meta else (),
            meta.affiliation if meta else None,
            meta.sections if meta else (),
        )
        text = "\n\n".join([cleaned.body, *(f.text for f in cleaned.footnotes)])
        docs.append(Document(text, metadata={"paper_id": meta.id if meta else paper_id_for(path)}))
    return docs


def tutorial_store(
    corpus: Path, folder: Path, embedder: SentenceTransformerEmbedder
) -> tuple[Chroma, int]:
    """The tutorial's vector store over the corpus, and how many chunks it holds."""
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=TUTORIAL_CHUNK_SIZE, chunk_overlap=TUTORIAL_OVERLAP, add_start_index=True
    )
    splits = splitter.split_documents(paper_texts(corpus))
    store = Chroma(
        collection_name="tutorial", embedding_function=embedder, persist_directory=str(folder)
    )
    store.add_documents(documents=splits)
    return store, len(splits)


def score(
    system: str,
    k: int,
    chunks: int,
    ranked: list[list[str]],
    millis: list[float],
    gold: list[EvalQuestion],
) -> RetrievalScore:
    """Mean recall@k, MRR and context size over the questions, from each one's ranked texts."""
    recalls = [
        evidence_recall(texts[:k], q.evidence) or 0.0 for texts, q in zip(ranked, gold, strict=True)
    ]
    ranks = [
        reciprocal_rank(texts[:k], q.evidence) or 0.0 for texts, q in zip(ranked, gold, strict=True)
    ]
    return RetrievalScore(
        system=system,
        k=k,
        chunks=chunks,
        recall=statistics.mean(recalls),
        mrr=statistics.mean(ranks),
        context_chars=statistics.mean(sum(len(t) for t in texts[:k]) for texts in ranked),
        median_ms=statistics.median(millis),
    )


def compare(
    pipeline: Pipeline,
    corpus: Path,
    folder: Path,
    embedder: SentenceTransformerEmbedder,
    questions: list[EvalQuestion],
) -> list[RetrievalScore]:
    """Ours at k=5 (and k=4, for the same k) and the tutorial's at k=4, on answerable questions.

    Our latency is the retrieval part of `Pipeline.ask` (question analysis, hybrid
    search, fusion); the tutorial's is its `similarity_search`. Both embed the question.
    """
    gold = [q for q in questions if q.answerable and q.evidence]
    on_torch = SentenceTransformerEmbedder(
        embedder.model_name, device=embedder.device, query_runtime="torch"
    )
    store, tutorial_chunks = tutorial_store(corpus, folder, on_torch)
    ours: list[list[str]] = []
    our_ms: list[float] = []
    theirs: list[list[str]] = []
    their_ms: list[float] = []
    for q in gold:
        answer = pipeline.ask(q.question, top_k=OUR_K)
        ours.append([r.text for r in answer.retrieved])
        our_ms.append(answer.timings_ms["retrieve"])
        began = time.perf_counter()
        hits = store.similarity_search(q.question, k=TUTORIAL_K)
        their_ms.append((time.perf_counter() - began) * 1000)
        theirs.append([d.page_content for d in hits])
    our_chunks = pipeline.store.count()
    return [
        score("ours", OUR_K, our_chunks, ours, our_ms, gold),
        score("ours", TUTORIAL_K, our_chunks, ours, our_ms, gold),
        score("LangChain tutorial", TUTORIAL_K, tutorial_chunks, theirs, their_ms, gold),
    ]
