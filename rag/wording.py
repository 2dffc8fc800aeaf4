"""Every sentence the core shows a user, in one place: refusals, headings, fallback reasons.

Prompts sent to a model are in `rag.prompts`, error messages with their fixes in
`rag.errors`. A `{name}` is filled in with `str.format` by the module that uses the
phrase; changing a phrase here changes what users read, and the eval's answers with it.
"""

from __future__ import annotations

# The refusal, with one of the reasons below.
REFUSAL = (
    "The papers do not contain the answer to this question: {reason}. "
    "The closest passages are listed below."
)

# Why the retrieved passages hold no answer (rag.answering.refusal, rag.pipeline).
NOTHING_MATCHES = "nothing in the papers matches the question"
ABOUT_SOMETHING_ELSE = "the closest passages are about something else"
NEVER_MENTIONED = "the papers never mention {words}"
NOT_MENTIONED_ON_SUBJECT = "no passage on this subject mentions {words}"
WORDS_NEVER_USED = "the papers never use the words {words}"
TERMS_NOT_IN_PASSAGES = "most of the question's terms are not in the passages"
FORM_NOT_GIVEN = "the matching passages give no {expects} for this"
NO_ANSWERING_SENTENCE = "no passage has a sentence that answers it"

# A fact of one paper from its metadata (rag.answering.paper_facts), or what the paper does not say.
WRITTEN_BY = "{title} was written by {names}."
NO_AUTHORS = "{title} does not name its authors"
PUBLISHED_IN = "{title} was published in {year}{where}."
NO_YEAR = "{title} does not print when it was published"
APPEARED_IN = "{title} appeared in {venue}{when}."
NO_VENUE = "{title} does not print where it was published"
# Leads an answer about the authors of several papers.
SHARED_AUTHOR = "{names} is an author of each of these papers."
SHARED_AUTHORS = "{names} are authors of each of these papers."
NO_SHARED_AUTHOR = "No author is on every one of these papers."

# How the extractive answer opens each paper's paragraph (rag.answering.composition).
ACCORDING_TO = "According to"

# Why the configured LLM backend's answer was not used (`Answer.fallback_reason`): a
# fixed phrase per failure kind; the error's own text goes to the log only.
BACKEND_FAILED = "the {backend} backend failed to answer"
BACKEND_TIMED_OUT = "the {backend} backend gave no answer within {seconds:g} s"
BACKEND_FOUND_NO_ANSWER = "the {backend} backend found no answer in the passages"
BACKEND_UNSUPPORTED = "nothing the {backend} backend wrote was supported by the passages"
HISTORY_NOT_CONDENSED = "history not condensed: {reason}"
FALLBACK_SEPARATOR = "; "

# Headings over an answer's numbered sources (the CLI, the OpenAI-compatible chat).
SOURCES_HEADING = "Sources:"
CLOSEST_HEADING = "Closest passages:"
DROPPED_UNSUPPORTED = "Dropped as unsupported by the passages: {count}"
ANSWERED_BY = "answered by {backend} in {ms:.0f} ms"

# The index's health as `/health` reports it (rag.pipeline).
HEALTH_OK = "ok"
HEALTH_NO_INDEX = "no index: run `rag ingest`"
HEALTH_UNQUERYABLE = "index broken: it cannot answer a query (the server log says why)"
HEALTH_CHUNKS_MISSING = (
    "index broken: {missing} of {sampled} sampled chunks not found by their own vector"
)
HEALTH_UNREADABLE = "index broken: the self-check could not read it (the server log says why)"
