"""The HTML report opened in real headless Chromium (Debian's `chromium`, driven by Playwright).

Chromium is installed by .ci/prepare.d/10-chromium.sh; `playwright install` is never used.
Pages are loaded with `set_content`, so the only URL a page may touch is about:blank; any
other request (a CDN, a font, an image) is a failure, as is any console error.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cnmm.report.html import render_html
from cnmm.report.pdf import CHROMIUM_ARGS
from tests.assess.example import ExampleRun
from tests.conftest import run_cnmm
from tests.report.hostile import SCRIPT, hostile

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CNMM_CHROMIUM", "/usr/bin/chromium")
SECTIONS = ("summary", "charts", "discrepancies", "roadmap", "dimensions", "method")


@dataclass
class Loaded:
    """A page with everything it tried to fetch and every complaint it made."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run bash .ci/prepare.d/10-chromium.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        yield instance
        instance.close()


@pytest.fixture
def load(browser: Any) -> Iterator[Any]:
    pages = []

    def open_html(html: str, *, width: int = 1280) -> Loaded:
        page = browser.new_page(viewport={"width": width, "height": 900})
        pages.append(page)
        loaded = Loaded(page)
        page.on("request", lambda r: loaded.requests.append(r.url))
        page.on(
            "console", lambda m: m.type in ("error", "warning") and loaded.errors.append(m.text)
        )
        page.on("pageerror", lambda e: loaded.errors.append(str(e)))

        def dialog(d: Any) -> None:
            loaded.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        page.set_content(html, wait_until="load")
        return loaded

    yield open_html
    for page in pages:
        page.close()


def _offline(loaded: Loaded) -> None:
    outside = [u for u in loaded.requests if not u.startswith(("about:blank", "data:"))]
    assert outside == []
    assert loaded.errors == []


@pytest.mark.parametrize("name", ["payments.html", "checkout.html"])
def test_scope_page_renders_every_section_offline(example: ExampleRun, load: Any,
                                                  name: str) -> None:  # fmt: skip
    loaded = load((example.out / name).read_text(encoding="utf-8"))
    page = loaded.page
    _offline(loaded)
    for section in SECTIONS:
        box = page.locator(f"#{section}").bounding_box()
        assert box and box["height"] > 40 and box["width"] > 300, section
    # executive summary first
    order = page.eval_on_selector_all("main section", "els => els.map(e => e.id)")
    assert order[0] == "summary"
    assert page.locator("#summary .headline").inner_text().startswith(name.split(".")[0])
    # the radar chart is drawn: one polygon for the levels, one for the targets, 23 spokes
    radar = page.locator("#charts svg.radar")
    assert radar.bounding_box()["width"] > 400
    assert page.locator("#charts svg.radar polygon.series").count() == 1
    assert page.locator("#charts svg.radar polygon.target").count() == 1
    spokes = page.locator("#charts svg.radar line").count()
    applicable = (
        page.locator("#levels tbody tr").count()
        - page.locator("#levels tbody tr:has(.lvx:text-is('n/a'))").count()
    )
    assert spokes == applicable
    # heatmap: five aspects by five levels
    assert page.locator("#heatmap tbody tr").count() == 5
    assert page.locator("#heatmap tbody td").count() == 25
    assert page.locator("#levels tbody tr").count() == 23
    assert page.locator("#roadmap #kpis").count() == 1
    assert "Costs may rise before they fall" in page.locator("#caveat").inner_text()


def test_discrepancy_shows_the_evidence_with_file_and_line(example: ExampleRun, load: Any) -> None:
    page = load((example.out / "checkout.html").read_text(encoding="utf-8")).page
    table = page.locator("#discrepancy-table")
    assert table.is_visible()
    text = table.inner_text()
    assert "Images are kept in a container registry" in text
    assert "k8s.image.tag-pinned" in text
    assert "checkout/k8s/deployment.yaml:" in text


def test_index_page_compares_the_scopes(example: ExampleRun, load: Any) -> None:
    loaded = load((example.out / "index.html").read_text(encoding="utf-8"))
    page = loaded.page
    _offline(loaded)
    assert page.locator("svg.radar polygon.series").count() == 2
    assert page.locator("#side-by-side thead th").all_inner_texts()[1:3] == ["payments", "checkout"]
    hrefs = page.eval_on_selector_all(".scope-nav a", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs == ["payments.html", "checkout.html"]
    back = load((example.out / "payments.html").read_text(encoding="utf-8")).page
    assert back.locator("a[href='index.html']").count() == 1


def test_set_report_on_one_page_keeps_ids_unique(example: ExampleRun, load: Any) -> None:
    proc = run_cnmm("report", str(example.out / "assessment.json"), "--format", "html")
    assert proc.returncode == 0
    loaded = load(proc.stdout)
    _offline(loaded)
    ids = loaded.page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids))
    assert loaded.page.locator("article.scope").count() == 2


def test_page_is_accessible(example: ExampleRun, load: Any) -> None:
    page = load((example.out / "payments.html").read_text(encoding="utf-8")).page
    assert page.get_attribute("html", "lang") == "en"
    levels = page.eval_on_selector_all(
        "h1, h2, h3, h4", "els => els.map(e => Number(e.tagName[1]))"
    )
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    assert page.locator("table:not(:has(th))").count() == 0
    svg = page.locator("svg.radar")
    assert svg.get_attribute("role") == "img"
    assert svg.locator("title").count() == 1 and len(svg.locator("desc").text_content() or "") > 100
    empty = page.eval_on_selector_all("a", "els => els.filter(e => !e.textContent.trim()).length")
    assert empty == 0
    assert page.locator("img:not([alt])").count() == 0


def test_prints_with_every_criterion_visible(example: ExampleRun, load: Any) -> None:
    page = load((example.out / "payments.html").read_text(encoding="utf-8")).page
    criterion = page.locator("#dim-technology\\.container-runtime table").first
    assert not criterion.is_visible()  # collapsed on screen
    page.emulate_media(media="print")
    assert criterion.is_visible()  # printed in full


def test_hostile_text_is_inert(example: ExampleRun, load: Any) -> None:
    bad = hostile(example.scope("checkout"))
    loaded = load(render_html(bad))
    page = loaded.page
    _offline(loaded)
    assert loaded.dialogs == []
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("script").count() == 0
    assert page.locator("img").count() == 0
    assert SCRIPT in page.locator("h1").inner_text()
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if h.lower().startswith("javascript")]
    assert "https://wiki.example/ok" in hrefs


def test_pdf_is_printed_by_chromium(example: ExampleRun, tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    proc = run_cnmm("report", str(example.out / "assessment.json"), "--format", "pdf",
                    "-o", str(target), env={"CNMM_CHROMIUM": CHROMIUM}, timeout=180)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    assert (
        data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") + data.count(b"/Type /Page/") > 5
        or data.count(b"/Page") > 10
    )
