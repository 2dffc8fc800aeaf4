"""The HTTP API (FastAPI) and the chat UI it serves; built on `rag.Pipeline`."""
