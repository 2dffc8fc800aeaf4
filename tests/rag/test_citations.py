"""Citation export of the real papers: every format parses, and holds only what is known."""

from __future__ import annotations

import json
import tomllib
from typing import Any

import pytest
import rispy
from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares import LatexDecodingMiddleware

from rag.citations import cite
from rag.errors import InvalidInputError
from rag.pipeline import Pipeline
from rag.types import CITATION_FORMATS, PaperMeta, PaperRecord
from tests.conftest import CORPUS

CATALOG: list[dict[str, Any]] = tomllib.loads((CORPUS / "papers.toml").read_text("utf-8"))["paper"]
# What each papers.toml field becomes in BibTeX; other catalog fields are not citation data.
BIBTEX_FIELDS = {
    "title": "title",
    "authors": "author",
    "venue": "journal",
    "volume": "volume",
    "issue": "number",
    "year": "year",
    "date": "date",
    "first_page": "pages",
}


def record(pipeline: Pipeline, paper_id: str) -> PaperRecord:
    return pipeline.view().papers[paper_id]


@pytest.mark.parametrize("entry", CATALOG, ids=[e["id"] for e in CATALOG])
def test_bibtex_parses_and_holds_only_catalog_fields(
    pipeline: Pipeline, entry: dict[str, Any]
) -> None:
    paper = record(pipeline, entry["id"])
    library = parse_string(cite(paper, "bibtex"), append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks and len(library.entries) == 1
    bib = library.entries[0]
    assert bib.key == entry["id"]
    assert set(bib.fields_dict) == {BIBTEX_FIELDS[k] for k in entry if k in BIBTEX_FIELDS}
    assert bib["title"] == entry["title"]
    if "authors" in entry:
        assert bib["author"] == " and ".join(entry["authors"])
    if "first_page" in entry:
        last = entry["first_page"] + paper.pages - 1
        # LaTeX decoding reads BibTeX's `--` page range as the en dash it stands for.
        assert bib["pages"] == f"{entry['first_page']}\u2013{last}"
    for key in ("volume", "issue", "year", "date"):
        if key in entry:
            assert bib[BIBTEX_FIELDS[key]] == str(entry[key])
    assert bib.entry_type == ("article" if "volume" in entry else "misc")


def test_ris_and_csl_json_carry_the_same_facts(pipeline: Pipeline) -> None:
    koslov = record(pipeline, "russia-korean-crisis-2018")
    (ris,) = rispy.loads(cite(koslov, "ris"))
    assert ris["type_of_reference"] == "JOUR" and ris["title"] == "Russia and the Korean Crisis"
    assert ris["authors"] == ["Koslov, Anton"]
    assert (ris["year"], ris["volume"], ris["number"]) == ("2018", "8", "2")
    assert "start_page" not in ris and "journal_name" not in ris
    (csl,) = json.loads(cite(koslov, "csl-json"))
    assert csl["type"] == "article-journal"
    assert csl["author"] == [{"given": "Anton", "family": "Koslov"}]
    assert csl["issued"] == {"date-parts": [[2018, 6, 30]]}
    assert "page" not in csl and "container-title" not in csl

    policy = record(pipeline, "russia-korea-policy-21st-century")
    (csl,) = json.loads(cite(policy, "csl-json"))
    assert set(csl) == {"id", "type", "title", "page"} and csl["page"].startswith("31-")
    (ris,) = rispy.loads(cite(policy, "ris"))
    assert ris["type_of_reference"] == "GEN" and "authors" not in ris and "year" not in ris


def test_names_and_special_characters_survive_every_format() -> None:
    meta = PaperMeta(
        id="odd",
        title="Tariffs & Taxes: 50% of Études",
        authors=("Ludwig van Beethoven", "Madonna"),
        venue="Journal of Things",
    )
    paper = PaperRecord(meta=meta, content_hash="x", chunk_count=1, pages=3)
    bib = parse_string(cite(paper, "bibtex"), append_middleware=[LatexDecodingMiddleware()])
    assert bib.entries[0]["title"] == meta.title
    assert bib.entries[0]["journal"] == "Journal of Things"
    assert "pages" not in bib.entries[0].fields_dict
    (ris,) = rispy.loads(cite(paper, "ris"))
    assert ris["authors"] == ["van Beethoven, Ludwig", "Madonna"]
    (csl,) = json.loads(cite(paper, "csl-json"))
    assert csl["author"][0] == {
        "given": "Ludwig",
        "non-dropping-particle": "van",
        "family": "Beethoven",
    }
    assert csl["author"][1] == {"family": "Madonna"}


def test_an_unknown_format_names_the_field() -> None:
    paper = PaperRecord(meta=PaperMeta(id="p", title="T"), content_hash="x", chunk_count=1, pages=1)
    with pytest.raises(InvalidInputError, match="format") as caught:
        cite(paper, "endnote")
    assert caught.value.field == "format" and all(f in str(caught.value) for f in CITATION_FORMATS)
