"""The chat page in headless Debian chromium (Playwright): ask, stream, cite, copy, upload, refuse.

Screenshots land in test-output/browser/. Without chromium the tests fail, naming the
fix: `make test` installs it when run as root.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.conftest import ROOT
from tests.utils.pdfs import make_pdf

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-output" / "browser"


@pytest.fixture(scope="module")
def page(api_url: str) -> Iterator[Page]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (make test does, as root)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=api_url)
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        tab.goto(api_url)
        yield tab
        context.close()
        browser.close()


def ask(page: Page, question: str) -> None:
    before = page.locator(".msg-foot").count()
    page.fill("#question", question)
    page.press("#question", "Enter")
    expect(page.locator(".msg-foot")).to_have_count(before + 1)


def test_ask_stream_and_open_a_citation(page: Page) -> None:
    expect(page.locator("#paper-list input[type=checkbox]")).to_have_count(2)
    ask(page, "What are Russia's two fundamental interests concerning the Korean peninsula?")
    answer = page.locator(".msg.answer").last
    expect(answer.locator(".answer-text")).to_contain_text("does not want a war in Korea")
    expect(answer.locator(".answer-text .cite").first).to_have_text("[1]")
    expect(answer).to_contain_text("answered by extractive")
    answer.locator(".answer-text .cite").first.click()
    expect(page.locator("#passage")).to_be_visible()
    expect(page.locator("#passage-title")).to_contain_text(
        "Russia's Korea Policy in the 21st Century"
    )
    expect(page.locator("#passage-text")).to_contain_text("two fundamental interests")
    expect(page.locator("#passage-after")).not_to_be_empty()
    page.click("#copy-bibtex")
    expect(page.locator("#copy-status")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("@misc{russia-korea-policy-21st-century,")
    assert "title = {Russia's Korea Policy in the 21st Century}" in copied
    page.screenshot(path=str(SHOTS / "answer-with-source.png"), full_page=True)
    page.keyboard.press("Escape")
    expect(page.locator("#passage")).to_be_hidden()


def test_upload_a_pdf_then_ask_what_only_it_says(page: Page, tmp_path: Path) -> None:
    pdf = make_pdf(
        tmp_path / "zebra-crossings.pdf",
        ["The Khasan zebra crossing was painted blue in 1999 by the Tumen River council."],
        title="Zebra Crossings of Khasan",
    )
    page.set_input_files("#upload", str(pdf))
    expect(page.locator("#upload-status")).to_contain_text("Added")
    expect(page.locator("#paper-list input[type=checkbox]")).to_have_count(3)
    ask(page, "What colour was the Khasan zebra crossing painted?")
    answer = page.locator(".msg.answer").last
    expect(answer.locator(".answer-text")).to_contain_text("painted blue in 1999")
    bad = tmp_path / "fake.pdf"
    bad.write_bytes(b"not a pdf at all")
    page.set_input_files("#upload", str(bad))
    expect(page.locator("#upload-status")).to_contain_text("not a PDF")
    page.screenshot(path=str(SHOTS / "upload.png"), full_page=True)


# The share of the page's white inside a box that the highlight has turned yellow.
YELLOWED = """([left, top, right, bottom]) => {
  const img = document.getElementById("page-image");
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const { data } = ctx.getImageData(left, top, right - left, bottom - top);
  let light = 0, yellow = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    if (r > 200 && g > 180) { light += 1; if (b < 200) yellow += 1; }
  }
  return light ? yellow / light : 0;
}"""


def test_a_citation_opens_its_pdf_page_with_the_sentence_highlighted(
    page: Page, tmp_path: Path, api_url: str
) -> None:
    pdf = make_pdf(
        tmp_path / "lighthouse-keepers.pdf",
        [
            "Lighthouses guided ships along the rocky northern coast for two centuries.",
            "The last keeper left the island of Vardholm in 1962, when the light was automated.",
        ],
        title="Lighthouse Keepers of Vardholm",
    )
    page.set_input_files("#upload", str(pdf))
    expect(page.locator("#upload-status")).to_contain_text("Added")
    ask(page, "When did the last keeper leave the island of Vardholm?")
    answer = page.locator(".msg.answer").last
    expect(answer.locator(".answer-text")).to_contain_text("1962")
    answer.locator(".answer-text .cite").first.click()
    expect(page.locator("#page-view")).to_be_visible()
    expect(page.locator("#page-label")).to_have_text("Page 2 of 2")
    image = page.locator("#page-image")
    marked = re.compile(r"/pages/2\.png\?width=\d+&quote=.+&highlight=")
    expect(image).to_have_attribute("src", marked)
    page.wait_for_function("document.getElementById('page-image').complete")
    chunk = parse_qs(urlsplit(image.get_attribute("src") or "").query)["highlight"][0]
    boxes = page.request.get(
        f"{api_url}/papers/lighthouse-keepers/pages/2/boxes?chunk={chunk}"
    ).json()
    box = boxes["sentences"][0]["boxes"][0]
    scale = page.evaluate("document.getElementById('page-image').naturalWidth") / boxes["width"]
    region = [round(box[k] * scale) for k in ("x0", "y0", "x1", "y1")]
    assert page.evaluate(YELLOWED, region) > 0.9
    page.screenshot(path=str(SHOTS / "page-view.png"), full_page=True)

    page.locator("#page-prev").focus()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#page-label")).to_have_text("Page 1 of 2")
    expect(image).to_have_attribute("src", re.compile(r"/pages/1\.png"))
    link = page.locator("#open-pdf")
    expect(link).to_have_attribute("href", "/papers/lighthouse-keepers/file#page=1")
    served = page.request.get(f"{api_url}/papers/lighthouse-keepers/file")
    assert served.ok and served.headers["content-type"] == "application/pdf"
    with page.context.expect_page() as opened:
        link.click()
    assert opened.value.url.endswith("/papers/lighthouse-keepers/file#page=1")
    opened.value.close()
    page.keyboard.press("Escape")
    expect(page.locator("#passage")).to_be_hidden()


def test_off_topic_question_is_refused_in_its_own_style(page: Page) -> None:
    ask(page, "Can you give me a recipe for kimchi jjigae?")
    refusal = page.locator(".msg").last
    expect(refusal).to_have_class("msg refusal")
    expect(refusal).to_contain_text("Not in the papers")
    expect(refusal.locator(".sources li").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "refusal.png"), full_page=True)


def test_conversation_survives_a_reload_and_new_chat_clears_it(page: Page) -> None:
    count = page.locator(".msg").count()
    page.reload()
    expect(page.locator(".msg")).to_have_count(count)
    page.click("#new-chat")
    expect(page.locator(".msg")).to_have_count(0)
    page.set_viewport_size({"width": 390, "height": 800})
    expect(page.locator("#question")).to_be_visible()
    page.screenshot(path=str(SHOTS / "phone.png"), full_page=True)
