"""PDFs built by the tests, with known text on known pages."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF


def make_pdf(
    path: Path,
    pages: list[str],
    title: str | None = None,
    user_password: str | None = None,
) -> Path:
    """Write a PDF whose page i holds pages[i]; an empty string gives a page with no text."""
    pdf = FPDF()
    pdf.set_auto_page_break(auto=False)
    if title:
        pdf.set_title(title)
    if user_password is not None:
        pdf.set_encryption(owner_password="owner", user_password=user_password)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.set_font("Helvetica", size=11)
            pdf.set_xy(20, 20)
            pdf.multi_cell(170, 6, text)
        else:
            pdf.rect(30, 30, 100, 60, style="F")
    pdf.output(str(path))
    return path
