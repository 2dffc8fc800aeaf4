"""Chat history through HTTP: a greeting before a standalone question changes nothing."""

from __future__ import annotations

import re

import httpx
import pytest


@pytest.mark.parametrize("question", ["What is S2ORC?", "Where is Vladivostok?"])
def test_greeting_in_history_is_not_glued_to_a_standalone_question(
    client: httpx.Client, question: str
) -> None:
    alone = client.post("/ask", json={"question": question})
    greeted = client.post(
        "/ask", json={"question": question, "history": [{"role": "user", "content": "hi"}]}
    )
    assert alone.status_code == greeted.status_code == 200
    body = greeted.json()
    assert "hi" not in re.findall(r"\w+", body["answer"])
    for field in ("answer", "answered", "citations", "related", "retrieved"):
        assert body[field] == alone.json()[field], field
