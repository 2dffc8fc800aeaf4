"""Papers a test writes into its corpus: text of their own, of any length."""

from __future__ import annotations


def field_paper(n: int, sentences: int) -> str:
    """Survey `n` in `sentences` sentences of its own words (300: embedding takes a moment)."""
    body = " ".join(
        f"In survey {n}.{i} the team counted {i % 13} cranes and {i % 7} river otters "
        f"near lake {n} station {i % 29}."
        for i in range(sentences)
    )
    return f"# Wildlife survey {n}\n\n{body}\n"
