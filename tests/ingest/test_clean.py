"""Cleaning rules, each on a real excerpt of one of the two papers."""

from __future__ import annotations

from pathlib import Path

from ingest.clean import clean
from ingest.clean_document import CleanDocument
from ingest.loaders import LoadedDocument
from ingest.normalise import normalise

# First paper, lines 61-80: a body sentence broken by a hyphen, two footnotes, a
# running header and a page break, in that order.
PAPER1_PAGE_BREAK = (
    "\ninternational situation, particularly Washington’s disturbing desire to \n\n"
    "establish international rules while ignoring international law and inter-\n\n"
    "1 _ Vladimir Putin, “Speech at a Ceremony for Presenting Credentials,” May 15, 2000, \n"
    "http://eng.kremlin.ru/speeches/2000/05/15/0000_type82914_126893.shtml.\n\n"
    "2 _ Igor Ivanov, Novaya rossiyskaya diplomatiya. Desyat’ let vneshney politiki strany [The \n"
    "New Russian Diplomacy: Ten Years of the Country’s Foreign Policy] (Moscow: \n"
    "Olma-Press, 2001), p. 158.\n\n\n\n"
    "32  Russia’s Korea Policy in the 21st Century\n\n"
    "national organizations – primarily the United Nations and its Security \n\n"
    "Council. The second reason is more practical: if there is a war near the \n"
)
PAPER1_JONG_IL = (
    "\npolitical elite have so far conserved a single solidifying element, which is \n\n"
    "the clan of Kim Jong-il. The absolute poverty of the population, their lack \n\n"
    "of rights, their strong ideological indoctrination, and the repressiveness "
)
PAPER1_GOOD_NEIGHBORLY = (
    "leadership concluded that it was necessary to normalize relations with \n\n"
    "Pyongyang. The shift took place in 2000. On February 9, Moscow and \n\n"
    "Pyongyang signed a full-scale Treaty on Friendship, Good-Neighborly \n\n"
    "Relations and Cooperation that, according to Igor Ivanov, “underlined the \n"
)
PAPER1_REAL_HYPHENS = (
    "exist. Pyongyang has expressed its wish to revive production at the thirty- \n\n"
    "eight industrial facilities which had been built with Soviet assistance. To \n\n"
    "relations built on the principles of modern international law, non- \n\n"
    "interference in internal affairs, mutual respect, equality and mutual \n"
)
PAPER1_HEADING = (
    "then makes some conclusions about the possible future trends in \n\n"
    "Moscow’s Korea policy. \n\n"
    "Russia and the DPRK \n\n"
    "Russia’s neighbor, the Democratic People’s Republic of Korea \n"
)
PAPER1_SPACE_PAGE = (
    "hereditary dictatorship or the extreme poverty of its population neither is \n\n"
    "an exception in the contemporary world. What makes the North Korean \n\n"
    "regime unique, even in comparison to the most exotic countries, is that it \n"
    " combines all the repressive features of Soviet-style communism with a \n\n"
    "harsh form of Oriental despotism. "
)
PAPER2_TOP = (
    "Vo,8 No.2 June 30, 2018\n\n"
    "Russia and the Korean Crisis\n"
    "Anton Koslov, Ph.D.\n"
    "(American Graduate School, Russia)\n\n"
    "Abstract\n"
    "Russian foreign policy on the Korean peninsula had always been defined by its "
    "economic and security priorities,\n"
    "but these priorities changed over the course of history.\n"
)
PAPER2_SLASH = (
    "priorities, but these priorities changed over the\n"
    "course of history. In geopolitical terms, Korea may\n"
    "be viewed as a “power field”, where the powerdrives of various international "
    "actors cross and/\n"
    "or oppose each other. The resulting tensions are"
)
PAPER2_WRAPPED_HEADING = (
    "Russia seeks to find the optimal balance between\n"
    "all parties implicated in negotiations with the endgoal to play the role of a "
    "regional power broker and\n"
    "regain the influence it once had in the region.\n\n"
    "Brief Historical overview of Russian-Korean\n"
    "relations\n"
    "Bilateral Russian-Korean relations begin at the\n"
    "end of the XIX century. The first treaty between"
)
PAPER2_FOOTNOTES = (
    "Korea and the United States. Already in 1989 North\n"
    "Korea warned Moscow that it would develop its\n"
    "own nuclear program if USSR were to establish\n"
    "diplomatic relations with South Korea.3 The Soviet\n"
    "1) Nicholas Eberstadt - The End of North Korea, American\n"
    "Enterprise Institute Press, 1999 Quoted in https://archive.\n"
    "nytimes.com/www.nytimes.com/books/first/e/eberstadtkorea.html\n"
    "2) Ibid\n"
    "3) Russia of course was weary of the North Korean nuclear\n"
    "program, because Korean nuclear proliferation would\n"
    "destabilize regional security arrangements and induce nuclear\n"
    "arms race in East Asia. Funabashi, Yoichi - The Peninsula\n"
    "Question. A Chronicle of the Second Korean Nuclear Crisis,\n"
    "Brookings Institute Press, Washington, D.C., 2007, p.173\n"
    " Union did and in 1990 recognized South Korea.\n"
    "From then on the Soviet Union, and later Russia,\n"
)


def run(text: str, **meta: object) -> CleanDocument:
    doc = LoadedDocument(Path("excerpt.txt"), [text], "text-export", None, text.encode())
    return clean(doc, **meta)  # type: ignore[arg-type]


def test_hard_wrapped_lines_and_blank_lines_are_joined() -> None:
    body = run(PAPER1_JONG_IL).body
    assert body == (
        "political elite have so far conserved a single solidifying element, which is the clan "
        "of Kim Jong-il. The absolute poverty of the population, their lack of rights, their "
        "strong ideological indoctrination, and the repressiveness"
    )


def test_hyphenation_across_a_page_with_footnotes_and_header_is_undone() -> None:
    body = run(PAPER1_PAGE_BREAK).body
    assert "ignoring international law and international organizations – primarily" in body
    assert "inter-" not in body


def test_real_hyphens_are_kept() -> None:
    assert "Kim Jong-il." in run(PAPER1_JONG_IL).body
    assert "Treaty on Friendship, Good-Neighborly Relations and Cooperation" in (
        run(PAPER1_GOOD_NEIGHBORLY).body
    )
    body = run(PAPER1_REAL_HYPHENS).body
    assert "the thirty-eight industrial facilities" in body
    assert "non-interference in internal affairs" in body


def test_running_header_is_dropped_and_starts_a_page() -> None:
    doc = run(PAPER1_PAGE_BREAK)
    assert "Russia's Korea Policy in the 21st Century" not in doc.body
    assert doc.page_count == 2
    assert doc.page_at(doc.body.index("Council. The second reason")) == 1
    assert doc.page_at(doc.body.index("establish international rules")) == 0


def test_footnotes_are_kept_apart_without_splitting_the_body_sentence() -> None:
    doc = run(PAPER1_PAGE_BREAK)
    assert "Vladimir Putin" not in doc.body
    assert [f.number for f in doc.footnotes] == [1, 2]
    assert doc.footnotes[0].text.startswith('Vladimir Putin, "Speech at a Ceremony')
    assert doc.footnotes[0].text.endswith("0000_type82914_126893.shtml.")
    assert doc.footnotes[1].text.endswith("(Moscow: Olma-Press, 2001), p. 158.")
    assert all(f.page == 0 for f in doc.footnotes)


def test_footnotes_of_the_second_paper_and_their_markers() -> None:
    doc = run(PAPER2_FOOTNOTES, page_start="indent")
    assert [f.number for f in doc.footnotes] == [1, 2, 3]
    assert doc.footnotes[0].text.endswith(
        "Quoted in https://archive.nytimes.com/www.nytimes.com/books/first/e/eberstadtkorea.html"
    )
    assert doc.footnotes[1].text == "Ibid"
    assert "diplomatic relations with South Korea. The Soviet Union did and in 1990" in doc.body
    assert "South Korea.3" not in doc.body


def test_quotes_and_whitespace_are_normalised_without_changing_words() -> None:
    assert normalise("  “Historically  and geopolitically” Russia’s\u00a0view ") == (
        '"Historically and geopolitically" Russia\'s view'
    )
    body = run(PAPER1_GOOD_NEIGHBORLY).body
    assert 'according to Igor Ivanov, "underlined the' in body
    assert "  " not in body


def test_a_line_starting_with_a_space_starts_a_page_where_the_catalog_says_so() -> None:
    doc = run(PAPER1_SPACE_PAGE, page_start="indent")
    assert "is that it combines all the repressive features of Soviet-style communism" in doc.body
    assert doc.page_count == 2
    assert doc.page_at(doc.body.index("combines all")) == 1
    assert doc.page_at(doc.body.index("is that it")) == 0
    assert run(PAPER1_SPACE_PAGE).page_count == 1


def test_a_form_feed_starts_a_page() -> None:
    doc = run("The first page ends here.\n\fThe second page starts here.\n")
    assert doc.page_count == 2
    assert doc.page_at(doc.body.index("The second page")) == 1


def test_footnotes_in_other_styles_need_their_reference_when_marked_by_number_alone() -> None:
    text = (
        "The agreement was signed in Geneva.1 It was renewed later.2\n"
        "1. Signed by both delegations.\n"
        "2 Renewed in 1999.\n"
    )
    doc = run(text)
    assert [(f.number, f.text) for f in doc.footnotes] == [
        (1, "Signed by both delegations."),
        (2, "Renewed in 1999."),
    ]
    assert "Geneva. It was renewed later." in doc.body
    numbered = run("Results\n1. Introduction of the method.\nMore text follows here.\n")
    assert numbered.footnotes == []


def test_a_masthead_above_a_known_title_is_dropped() -> None:
    top = "Journal of Examples, Vol. 3 (2021) 12-19\n\nA Study of Things\nBody text begins.\n"
    doc = run(top, title="A Study of Things")
    assert doc.body.startswith("Body text begins.")
    assert "Journal of Examples" in run(top).body


def test_section_headings_are_recognised_and_not_left_in_the_text() -> None:
    doc = run(PAPER1_HEADING)
    assert "Russia and the DPRK" not in doc.body
    assert doc.section_at(doc.body.index("Russia's neighbor")) == "Russia and the DPRK"
    assert doc.section_at(0) is None


def test_wrapped_heading_named_in_the_catalog() -> None:
    heading = "Brief Historical overview of Russian-Korean relations"
    doc = run(PAPER2_WRAPPED_HEADING, sections=[heading])
    assert doc.section_at(doc.body.index("Bilateral Russian-Korean relations")) == heading
    assert "with the endgoal to play the role" in doc.body
    assert "overview" not in doc.body


def test_title_block_goes_to_metadata_not_body() -> None:
    doc = run(
        PAPER2_TOP,
        title="Russia and the Korean Crisis",
        authors=["Anton Koslov"],
        affiliation="American Graduate School, Russia",
    )
    assert doc.body.startswith("Russian foreign policy on the Korean peninsula")
    assert doc.section_at(0) == "Abstract"
    assert "Koslov" not in doc.body and "Vo,8" not in doc.body


def test_slash_at_line_end_joins_without_space() -> None:
    assert "cross and/or oppose each other" in run(PAPER2_SLASH).body


def test_whole_first_paper_pages_and_sections(tmp_path: Path) -> None:
    from ingest.catalog import load_catalog
    from ingest.loaders import load
    from tests.conftest import CORPUS

    meta = load_catalog(CORPUS)["000_03297f04ea68092a.txt"]
    doc = load(CORPUS / "000_03297f04ea68092a.txt")
    cleaned = clean(doc, meta.title, meta.authors, meta.affiliation, meta.sections, meta.page_start)
    assert cleaned.page_count == 14
    assert len(cleaned.footnotes) == 8
    headings = [s for _, s in cleaned.sections if s]
    assert headings == [
        "Abstract",
        "Russia and the DPRK",
        "Russia and South Korea",
        "The Russian View of Korea's Unification",
    ]
    put = cleaned.body.index("President Vladimir Putin stated")
    assert meta.printed_page(cleaned.page_at(put)) == "31"
    kozyrev = cleaned.body.index("When Andrey Kozyrev was appointed")
    assert meta.printed_page(cleaned.page_at(kozyrev)) == "35"
