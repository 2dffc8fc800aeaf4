"""Core of the papers chatbot: settings, embeddings, the index, retrieval and answering."""

__version__ = "0.1.0"
