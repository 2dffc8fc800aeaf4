"""From retrieved passages to an answer: the answering core, one module per step.

A question is read first (`question`: its terms, names and numbers, the papers it
names by `rag.paper_names`, the form of the answer it wants; `follow_up`: whether it
leans on the conversation). Questions about a paper itself are answered from its
metadata (`paper_facts`). Otherwise the retrieved passages are topped up with one that
names the question's missing numbers and names (`key_evidence`), the sentences that
answer are picked (`sentence_scoring`), the evidence is judged for whether it answers at
all (`refusal`; across papers, for each paper too), and the picks become a cited answer
or a refusal (`composition`), which an LLM backend may rewrite under the grounding check
(`generation`). The rows of the cited papers' tables that the question names are quoted
after it (`table_rows`). Every cut-off and
weight these steps decide by is in `thresholds`; the stage types they pass along
(`Chunk`, `ScoredPassage`, `Answer`) are in `rag.types`.
"""
