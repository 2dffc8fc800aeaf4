"""Whether a chat question stands alone, and which earlier question a follow-up leans on.

The chat page and every `/v1` client send the conversation with each question, so history
is the normal case, not a hint that the question is incomplete. Gluing the previous turn
onto a question that stands alone ("What is S2ORC?" after "hi") pulls retrieval and the
refusal checks towards words the user is no longer asking about. Length says nothing about
this ("Why?" needs the previous turn, "What is S2ORC?" does not); grammar does. A question
leans on the one before when it:

- opens elliptically: "And the second paper?", "What about South Korea?", "Also ...",
  "Same for ...", after any greeting or thanks ("OK, and ...");
- uses a pronoun or demonstrative whose referent is not in the question itself: "Who
  wrote it?", "Why did they sign that?", "What happened there?", "the other one",
  "What else ...", "you said";
- has no content word at all: "Why?", "How so?", "Tell me more.", and, since the
  pipeline counts "paper" and "author" as no content, "Who are the authors?".

A greeting or thanks alone ("hey there") asks nothing and so leans on nothing.

A referent counts as in the question when a content word precedes the pronoun in an
earlier clause ("Who was the first Soviet ruler of North Korea, and what role did he
play?"); a possessive or reflexive may also find it earlier in its own clause ("What did
Putin say about his visit?"), and "there" a place named after a preposition ("the visit
to Pyongyang and the document signed there"), but a personal pronoun may not ("What did
Koslov say about it?" needs the previous turn). A word straight after a wh-word is taken
for the verb of a wh-question ("What happened to its economy?"), not for a referent.

Non-referring uses stand alone: "it" in a cleft or extraposition ("Is it true that ...",
"What is it about X that ..."), existential "there" ("Is there ...", "there were"), and
"that" as a conjunction or relative pronoun ("the treaty that ...", "said that Russia
..."). "It" before an infinitive ("Is it possible to ...") is read as referring: without
a parser it cannot be told from "Is it related to ...", and a follow-up read as
standalone costs more than the reverse.

The words here are closed classes of English (pronouns, determiners, auxiliaries,
prepositions, conjunctions, greetings); no rule names a subject.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.terms import content_terms, stem
from rag.types import Turn


def _words(text: str) -> frozenset[str]:
    """A closed class of words, written as one string."""
    return frozenset(text.split())


# Greetings, thanks and acknowledgements: a turn made only of these asks nothing.
PHATIC = _words(
    "hi hello hey hiya yo greetings thanks thank thx cheers ok okay sure yes yeah yep "
    "great cool nice awesome perfect bye goodbye please sorry hmm um uh wow morning "
    "evening afternoon welcome"
)
WH = _words("what who whom whose which when where why how")
BE = _words("am is are was were be been being")
MODALS = _words("can could will would shall should may might must")
AUXILIARIES = BE | MODALS | _words("do does did has have had")
# Beside these, "there" is existential rather than a place: "is there", "there seem to be".
EXISTENTIAL_BEFORE = BE | MODALS
EXISTENTIAL_AFTER = EXISTENTIAL_BEFORE | _words(
    "has have had seem seems seemed appear appears appeared exist exists existed remain remains"
)
PREPOSITIONS = _words(
    "about above across after against along among around at before behind below beside "
    "besides between beyond by despite during for from in inside into like near of off on "
    "onto over since than through to toward towards under until upon with within without"
)
COORDINATORS = _words("and or but")
SUBORDINATORS = _words(
    "when while because after before since although though if unless until whereas once"
)
# Never bound inside their own clause ("Koslov said it": `it` is not Koslov).
PERSONAL = _words("it they them he him she her this these those that there")
# May be bound inside their own clause ("Putin and his visit").
POSSESSIVE = _words("its their theirs his hers itself themselves himself herself")
# Relative or conjunction after these: "those who", "that of".
NOT_DEMONSTRATIVE_AFTER = _words("who which that of")
CLEFT_COMPLEMENTS = _words("that whether who")

ELLIPTICAL_OPENING = re.compile(
    r"^(?:and|but|or|also|plus|so|then|instead|what about|how about|what of|as for|"
    r"(?:the )?same)\b"
)
ANAPHORIC_PHRASE = re.compile(
    r"\bthe (?:other|former|latter|previous|above|aforementioned)\b"
    r"|\b(?:which|another|each|the (?:first|second|third|fourth|last|next|same)) ones?\b(?! of)"
    r"|\bthe same\s*(?:$|[.,;:!?]|for\b|about\b|thing\b|question\b)"
    r"|\belse\b"
    r"|\byou (?:said|mentioned|wrote|cited|quoted|listed|just)\b"
    r"|\byour (?:answer|reply|last)\b"
)
TOKEN = re.compile(r"[a-z][a-z'-]*|\d+(?:[.,]\d+)*|[.,;:!?]")
BOUNDARY = frozenset(".,;:!?")
# Leading greetings and acknowledgements, skipped before looking for an elliptical opening.
LEADING_PHATIC = re.compile(rf"^(?:[\W_]*\b(?:thank you|{'|'.join(sorted(PHATIC))})\b)*[\W_]*")
PHATIC_STEMS = frozenset(stem(w) for w in PHATIC)


def is_follow_up(question: str) -> bool:
    """Whether `question` needs the previous turn to be understood (see the module doc)."""
    text = question.lower().strip()
    if not content_terms(text):
        return True
    if not is_substantive(text):
        return False
    if ELLIPTICAL_OPENING.match(LEADING_PHATIC.sub("", text)) or ANAPHORIC_PHRASE.search(text):
        return True
    return _has_unbound_anaphor(_clauses(_tokens(text)))


def is_substantive(text: str) -> bool:
    """Whether a turn asks about something: a content word besides greetings and thanks."""
    return bool(content_terms(text) - PHATIC_STEMS)


def with_context(question: str, history: Sequence[Turn]) -> str:
    """The question to retrieve for: a follow-up led by the question it follows.

    The question it follows is the last user turn that asks about something ("hi" and
    "thanks" ask nothing); when that one is itself a follow-up, its own context comes
    first, so "Why?" after "And South Korea?" still knows what the talk was about.
    """
    return _led(question, [t.content for t in history if t.role == "user"])


def _led(question: str, asked: list[str]) -> str:
    """`question`, after the earlier user turns it leans on (oldest first)."""
    if not is_follow_up(question):
        return question
    for i in range(len(asked) - 1, -1, -1):
        if is_substantive(asked[i]):
            return f"{_led(asked[i], asked[:i])} {question}"
    return question


def _tokens(text: str) -> list[str]:
    """Lower-case words and clause punctuation; "it's" becomes "it is"."""
    out: list[str] = []
    for tok in TOKEN.findall(text):
        base = tok.removesuffix("'s")
        if base != tok and (base in PERSONAL or base in WH):
            out += [base, "is"]
        else:
            out.append(tok)
    return out


def _clauses(tokens: list[str]) -> list[list[str]]:
    """Split into clauses, where a pronoun's referent may be found in an earlier one.

    Clauses end at punctuation and before a subordinating conjunction inside a sentence;
    "and"/"or"/"but" start one only before a wh-word, auxiliary or pronoun ("and what
    role did he play", not "Russia and China").
    """
    clauses: list[list[str]] = [[]]
    for i, tok in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        opens_clause = following in WH or following in AUXILIARIES or following in PERSONAL
        if (
            tok in BOUNDARY
            or (tok in COORDINATORS and opens_clause)
            or (tok in SUBORDINATORS and clauses[-1])
        ):
            clauses.append([])
        else:
            clauses[-1].append(tok)
    return [c for c in clauses if c]


def _is_referent(clause: list[str], j: int) -> bool:
    """A content word that may be what a later pronoun points to."""
    return j > 0 and clause[j - 1] not in WH and is_substantive(clause[j])


def _has_unbound_anaphor(clauses: list[list[str]]) -> bool:
    """Whether some pronoun finds no referent earlier in the question."""
    earlier = False
    for clause in clauses:
        for j, tok in enumerate(clause):
            if tok in POSSESSIVE:
                bound = earlier or any(_is_referent(clause, k) for k in range(j))
            elif tok == "there" and _refers(clause, j):
                bound = earlier or any(
                    _is_referent(clause, k) and clause[k - 1] in PREPOSITIONS for k in range(j)
                )
            elif tok in PERSONAL and _refers(clause, j):
                bound = earlier
            else:
                continue
            if not bound:
                return True
        earlier = earlier or any(_is_referent(clause, k) for k in range(len(clause)))
    return False


def _refers(clause: list[str], j: int) -> bool:
    """Whether the personal pronoun or demonstrative at `clause[j]` points at something."""
    tok = clause[j]
    before = clause[j - 1] if j > 0 else ""
    after = clause[j + 1] if j + 1 < len(clause) else ""
    if tok == "it":
        is_cleft = (before in BE or after in BE) and any(
            t in CLEFT_COMPLEMENTS for t in clause[j + 1 :]
        )
        return not is_cleft
    if tok == "there":
        return before not in EXISTENTIAL_BEFORE and after not in EXISTENTIAL_AFTER
    if tok in ("that", "those") and after in NOT_DEMONSTRATIVE_AFTER:
        return False
    if tok == "that":
        return not after or not before or before in WH | AUXILIARIES | PREPOSITIONS
    return True
