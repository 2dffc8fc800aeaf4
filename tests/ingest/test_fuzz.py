"""Bounded fuzzing: mutants of real and built PDFs in one real `rag ingest` run."""

from __future__ import annotations

from pathlib import Path

from tests.ingest.test_loaders import failures, indexed
from tests.utils import hostile_pdfs as hostile
from tests.utils.cli import run_rag
from tests.utils.pdfs import make_pdf

SEED = 14


def test_every_mutant_is_a_named_failure_or_an_index_entry(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    built = [
        make_pdf(tmp_path / f"built-{i}.pdf", pages, title=f"Built Paper {i}").read_bytes()
        for i, pages in enumerate(
            [
                ["Vladivostok is the largest Russian port on the Pacific coast."],
                ["The railway runs from Khasan to Rajin.", "", "The pipeline would reach Seoul."],
            ]
        )
    ]
    real = [p.read_bytes() for p in hostile.REAL_PDFS]
    files = {
        **{f"r{i:02}.pdf": m for i, m in enumerate(hostile.mutants(real, 6, SEED))},
        **{f"b{i:02}.pdf": m for i, m in enumerate(hostile.mutants(built, 12, SEED))},
        "h-inflate.pdf": hostile.inflating_pdf(400),
        "h-selfref.pdf": hostile.self_referencing_kid_pdf(),
        "h-parent.pdf": hostile.cyclic_parent_pdf(),
        "h-loop.pdf": hostile.looping_page_tree_pdf(),
        "h-nested.pdf": hostile.deeply_nested_pdf(),
    }
    for name, data in files.items():
        (corpus / name).write_bytes(data)
    make_pdf(
        corpus / "known-good.pdf",
        ["A known good page about the port of Nakhodka."],
        title="A Known Good Paper",
    )

    run = run_rag(["ingest"], corpus, tmp_path / "data")

    output = run.stdout + run.stderr
    assert run.returncode in (0, 1), output
    assert "Traceback" not in output
    failed = failures(run.stderr)
    added = indexed(corpus, tmp_path / "data")
    assert "known-good" in added
    for name in files:
        stem = Path(name).stem
        assert (name in failed) != (stem in added), (name, failed.get(name), output)
        if name in failed:
            assert failed[name].strip(), name
    assert failed, "the hostile files must be refused"
    assert (run.returncode == 1) == bool(failed)
