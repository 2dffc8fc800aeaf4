"""Reference-manager exports: matched to papers by file, DOI or title; papers.toml still wins."""

from __future__ import annotations

import json
from pathlib import Path

from bibtexparser.entrypoint import parse_string

from ingest.indexer import prepare
from ingest.refmanager import exports_in, load_library
from rag.citations import cite
from rag.settings import Settings
from rag.types import PaperMeta

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "papers"
S2ORC = FIXTURES / "2020.acl-main.447.pdf"
LONGEVAL = FIXTURES / "2023.eacl-main.121.pdf"

ZOTERO_BIB = r"""
@inproceedings{lo2020s2orc,
  title = {{S2ORC}: The Semantic Scholar Open Research Corpus (as filed)},
  author = {Lo, Kyle and Wang, Lucy Lu and Neumann, Mark and Kinney, Rodney and Weld, Daniel},
  year = {2020},
  doi = {10.18653/v1/2020.acl-main.447},
  file = {Full Text PDF:/home/me/Zotero/storage/ABCD1234/2020.acl-main.447.pdf:application/pdf},
}
"""


def settings_for(folder: Path) -> Settings:
    return Settings(_env_file=None, corpus_dir=folder, data_dir=folder / "data")


def test_a_bibtex_entry_matched_by_its_file_field_fills_the_metadata(tmp_path: Path) -> None:
    export = tmp_path / "library.bib"
    export.write_text(ZOTERO_BIB, encoding="utf-8")
    library = load_library([export])
    meta = prepare(S2ORC, None, "h", settings_for(tmp_path), library).record.meta
    assert meta.title == "S2ORC: The Semantic Scholar Open Research Corpus (as filed)"
    assert meta.authors[-1] == "Daniel Weld"
    assert meta.doi == "10.18653/v1/2020.acl-main.447"
    # What the export leaves out still comes from the paper.
    assert meta.venue is not None and meta.venue.startswith("Proceedings of the 58th")
    entry = parse_string(
        cite(prepare(S2ORC, None, "h", settings_for(tmp_path), library).record, "bibtex")
    ).entries[0]
    assert entry["doi"] == "10.18653/v1/2020.acl-main.447"


def test_papers_toml_wins_over_the_export(tmp_path: Path) -> None:
    export = tmp_path / "library.bib"
    export.write_text(ZOTERO_BIB, encoding="utf-8")
    entry = PaperMeta(id="s2orc", title="S2ORC (catalogued)", source=S2ORC.name)
    meta = prepare(S2ORC, entry, "h", settings_for(tmp_path), load_library([export])).record.meta
    assert meta.title == "S2ORC (catalogued)"
    assert meta.year == 2020 and meta.doi == "10.18653/v1/2020.acl-main.447"


def test_a_csl_json_item_is_matched_by_the_printed_title(tmp_path: Path) -> None:
    items = [
        {
            "id": "krishna2023",
            "type": "paper-conference",
            "title": "LongEval: Guidelines for Human Evaluation of Faithfulness in Long-form "
            "Summarization",
            "DOI": "10.18653/v1/2023.eacl-main.121",
            "issued": {"date-parts": [[2023, 5]]},
        },
        {"id": "other", "type": "article", "title": "Something else entirely"},
    ]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(items), encoding="utf-8")
    assert exports_in(tmp_path) == [export]
    meta = prepare(LONGEVAL, None, "h", settings_for(tmp_path), load_library([export])).record.meta
    assert meta.doi == "10.18653/v1/2023.eacl-main.121"
    assert meta.authors[0] == "Kalpesh Krishna"
    unmatched = prepare(S2ORC, None, "h", settings_for(tmp_path), load_library([export]))
    assert unmatched.record.meta.doi is None
