"""The README's settings tables, made from the `Settings` model (`rag settings` prints them).

One table per `Section`, in that order, under a heading and the section's
one-line description. Each row is a field: its environment variable, its default and its
`description=`, so the tables cannot drift from the code; tests/rag/test_settings.py fails
when README's copy differs from what this makes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pydantic.fields import FieldInfo

from rag.settings import SECTION_DESCRIPTIONS, Section, Settings

HEADER = ("| variable | default | meaning |", "|---|---|---|")


def default_text(field: FieldInfo) -> str:
    """The field's default as the table shows it: blank for none, lists as JSON."""
    value = field.get_default(call_default_factory=True)
    if value is None:
        return ""
    if isinstance(value, float):
        shown = f"{value:g}"
    elif isinstance(value, list | tuple | dict):
        shown = json.dumps(value)
    elif isinstance(value, Path):
        shown = value.as_posix()
    else:
        shown = str(value)
    return f"`{shown}`"


def cell(text: str) -> str:
    """Text that stays in one table cell: a `|` would end it, even inside backticks."""
    return text.replace("|", "\\|")


def markdown_table(sections: Iterable[Section] = Section) -> str:
    """Every section's heading, description and table, as README's Settings section holds them."""
    return "\n\n".join(section_table(section) for section in sections)


def section_table(section: Section) -> str:
    """One section: `### name`, its description, then a row per field in the model's order."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    rows = []
    for name in Settings.section_fields(section):
        field = Settings.model_fields[name]
        rows.append(row(f"`{prefix}{name.upper()}`", default_text(field), field.description or ""))
    return "\n".join([f"### {section}", "", SECTION_DESCRIPTIONS[section], "", *HEADER, *rows])


def row(*cells: str) -> str:
    """A table row, an empty cell written `| |`."""
    return "|" + "|".join(f" {cell(c)} " if c else " " for c in cells) + "|"
