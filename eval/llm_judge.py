"""`--judge llm`: the configured language model checks each answer sentence, RAGAS-style.

The model first splits a sentence into claims, then says for each claim whether the
cited passages state it; the sentence is supported when every claim is, and its score
is the share of claims supported (RAGAS's faithfulness, per sentence). The `ragas`
package itself is not used: it pins `openai<2` through `instructor`, which would
downgrade the OpenAI client the `openai` backend runs on. A reply the judge cannot
read counts as unsupported, with the reply in the reason, rather than as a pass.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from eval.faithfulness import Verdict
from rag.errors import BackendError
from rag.llm import ChatBackend
from rag.prompts import claim_messages, verdict_messages

CLAIM_LINE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*(.+?)\s*$")
VERDICT_LINE = re.compile(r"^\s*(\d+)\s*[:.)]\s*(yes|no)\b\W*(.*)$", re.I)
MAX_CLAIMS = 8


class LLMJudge:
    """Claim decomposition and per-claim verdicts by the configured LLM backend."""

    def __init__(self, backend: ChatBackend) -> None:
        self.backend = backend
        self.name = f"llm ({backend.name})"

    def judge(self, sentence: str, passages: Sequence[str]) -> Verdict:
        """Supported when the model finds every claim of the sentence in the passages."""
        try:
            claims = parse_claims(self.backend.chat(claim_messages(sentence))) or [sentence]
            reply = self.backend.chat(verdict_messages(claims, passages))
        except BackendError as exc:
            return Verdict(False, 0.0, f"judge failed: {exc}")
        verdicts = parse_verdicts(reply, len(claims))
        if verdicts is None:
            return Verdict(False, 0.0, f"judge reply unreadable: {reply[:120]!r}")
        share = sum(ok for ok, _ in verdicts) / len(verdicts)
        reasons = [f"{claims[i]} ({why})" for i, (ok, why) in enumerate(verdicts) if not ok]
        return Verdict(share == 1.0, share, f"not stated: {'; '.join(reasons)}" if reasons else "")


def parse_claims(reply: str) -> list[str]:
    """The claims of a "- claim" per line reply, at most `MAX_CLAIMS`."""
    found = [m.group(1) for line in reply.splitlines() if (m := CLAIM_LINE.match(line))]
    return found[:MAX_CLAIMS]


def parse_verdicts(reply: str, claims: int) -> list[tuple[bool, str]] | None:
    """One (supported, reason) per claim from "n: yes - why" lines; None if any is missing."""
    found: dict[int, tuple[bool, str]] = {}
    for line in reply.splitlines():
        m = VERDICT_LINE.match(line)
        if m and 1 <= int(m.group(1)) <= claims:
            found.setdefault(int(m.group(1)), (m.group(2).lower() == "yes", m.group(3).strip()))
    if len(found) != claims:
        return None
    return [found[i] for i in range(1, claims + 1)]
