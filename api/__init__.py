"""HTTP API and chat UI over `rag` (see the API issue; nothing is served yet)."""
