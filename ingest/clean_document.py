"""The cleaned text of a paper: the core's `Document` and what cleaning alone needs of it.

Both ways of cleaning (`ingest.clean`, from a PDF's layout or from text without one)
give a `CleanDocument`; chunking (`ingest.chunking`) cuts it as a `rag.types.Document`
and looks up each chunk's page, section and kind by offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.structure import Heading, Structured
from rag.types import Document


@dataclass
class CleanDocument(Document):
    """A `Document` with its headings and, for a PDF, its layout's reading."""

    headings: list[Heading] = field(default_factory=list)
    layout: Structured | None = None
