"""`kb serve` in a real browser: headless Chromium (Debian's `chromium`, driven by
Playwright) opens the home page, a faceted table, a full-text search, the evidence query
and a forest plot the way a person would, checks what is on screen, and saves screenshots.

Every request the pages make must go to 127.0.0.1: any other is blocked and fails the test.
Screenshots go to pytest's temporary folder, or to $KB_SCREENSHOTS (e.g. docs/img, to
refresh the README's pictures: `KB_SCREENSHOTS=docs/img make test`).
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import MELANOMA, MYELOMA, ROOT, invoke

CHROMIUM = os.environ.get("KB_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium; "
                                                         ".ci/run installs it)")
# Flags for a quiet, offline browser: no GPU, no sandbox (CI containers run as root), and
# none of Chromium's own background traffic (updates, sync, field trials, first-run pages).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-default-apps", "--disable-extensions", "--metrics-recording-only"]
VIEWPORT = {"width": 1600, "height": 900}
EXTRA_DOCS = ROOT / "eval" / "docs"   # more papers, so facets and the forest plot have several studies


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`kb serve` in its own process on a store of the samples and the evaluation papers."""
    db = tmp_path_factory.mktemp("browser") / "kb.db"
    # the papers only: registry records (eval/docs/registry) would add trials' own OS rows
    inputs = [MELANOMA, MYELOMA] + sorted(EXTRA_DOCS.glob("*.txt"))
    result = invoke(["ingest", *inputs, "--db", db])
    assert result.exit_code == 0, result.output
    port = _free_port()
    # The command is registered by importing kb.cli.serve (kb/cli/__init__ does so once wired).
    code = "import kb.cli.serve; from kb.cli import main; main()"
    log = open(db.parent / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-c", code, "serve", "--db", str(db), "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/-/versions.json", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("kb serve did not start:\n" + (db.parent / "serve.log").read_text(errors="replace"))
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ["KB_SCREENSHOTS"]) if os.environ.get("KB_SCREENSHOTS") else \
        tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser_page(server):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[test]' (it drives the system chromium)")
    requests: list[str] = []
    blocked: list[str] = []

    def guard(route):
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname != "127.0.0.1":
            blocked.append(url)
            route.abort()
        else:
            route.continue_()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT, service_workers="block")
        context.route("**/*", guard)
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.set_default_timeout(15_000)
        yield page, requests, blocked
        context.close()
        browser.close()


def _only_local(requests: list[str], blocked: list[str]) -> None:
    foreign = [u for u in requests if urlsplit(u).scheme not in ("data", "blob", "about")
               and urlsplit(u).hostname != "127.0.0.1"]
    assert blocked == [] and foreign == [], f"requests outside 127.0.0.1: {blocked + foreign}"


def test_a_person_browses_the_evidence(server, browser_page, shots):
    from playwright.sync_api import expect

    page, requests, blocked = browser_page

    # 1. Home page: the knowledge base introduces itself and points at the evidence.
    page.goto(server + "/")
    expect(page.locator("h1")).to_have_text("kb: clinical evidence knowledge base")
    expect(page.get_by_text("Every figure keeps the quote and character offsets")).to_be_visible()
    expect(page.get_by_role("link", name="evidence", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="forest plot", exact=True)).to_be_visible()
    page.screenshot(path=shots / "serve-home.png")

    # 2. A faceted table: the evidence with its default facets; a click on HR filters it.
    page.get_by_role("link", name="evidence", exact=True).click()
    expect(page.locator("h1")).to_contain_text("evidence")
    for facet in ("condition", "therapy_classes", "endpoint", "measure", "design", "year"):
        expect(page.locator(f"#facet-{facet} .facet-info-name")).to_be_visible()
    expect(page.locator("#facet-therapy_classes")).to_contain_text("immunologic/targeted therapy")
    expect(page.locator("details.kb-column-descriptions summary")).to_contain_text("Column descriptions")
    page.locator("#facet-measure").get_by_role("link", name="HR", exact=True).click()
    expect(page).to_have_url(re.compile(r"measure=HR"))
    expect(page.locator("h3").first).to_contain_text('where measure = "HR"')
    measures = page.locator("table.rows-and-columns td.col-measure")
    expect(measures.first).to_have_text("HR")
    assert set(measures.all_inner_texts()) == {"HR"}
    expect(page.locator("td.col-quote mark.kb-value").first).to_be_visible()
    page.screenshot(path=shots / "serve-evidence-facets.png")

    # 3. Full-text search over titles and abstracts.
    page.goto(server + "/kb/studies")
    page.locator("input[name=_search]").fill("myeloma")
    page.locator("input[name=_search]").press("Enter")
    expect(page.locator("h3").first).to_contain_text('1 row where search matches "myeloma"')
    expect(page.locator("td.col-title")).to_have_text(
        "Therapeutic options for extramedullary involvement in multiple myeloma.")
    doi = page.locator("td.col-doi a")
    expect(doi).to_have_attribute("href", "https://doi.org/10.1007/s10238-025-01821-w")
    page.screenshot(path=shots / "serve-search.png")

    # 4. The evidence query: immunotherapy and OS, typed into its form, finds the MMHN figures.
    page.goto(server + "/kb/evidence_for")
    page.locator("input[name=therapy]").fill("immunotherapy")
    page.locator("input[name=outcome]").fill("OS")
    page.get_by_role("button", name="Run SQL").click()
    expect(page.locator("h3").first).to_contain_text("returning 3 rows")
    expect(page.locator("td.col-condition").first).to_have_text("head and neck mucosal melanoma (MMHN)")
    assert set(page.locator("td.col-endpoint").all_inner_texts()) == {"OS"}
    marked = page.locator("td.col-quote mark.kb-value")
    assert sorted(marked.all_inner_texts()) == ["0.638", "0.671", "62.2"]
    expect(marked.first).to_be_visible()
    page.set_viewport_size({"width": 1920, "height": 900})   # wide enough for the quotes
    page.evaluate("() => window.scrollTo(0, document.querySelector('h3').getBoundingClientRect().top - 8)")
    page.screenshot(path=shots / "serve-evidence-query.png")
    page.set_viewport_size(VIEWPORT)

    # 5. The forest plot of the hazard ratios for immunotherapy and OS, then for OS alone.
    page.goto(server + "/kb/-/forest")
    page.locator("#kb-therapy").fill("immunotherapy")
    page.locator("#kb-outcome").fill("OS")
    page.get_by_role("button", name="Draw").click()
    expect(page.locator("h1")).to_have_text("Forest plot: HR for immunotherapy, OS")
    plot = page.locator("svg.kb-forest")
    expect(plot).to_be_visible()
    expect(plot.locator("g.kb-forest-row")).to_have_count(2)
    expect(plot.locator("text.kb-forest-estimate").first).to_contain_text("0.671 (0.473–0.952)")
    expect(page.locator(".kb-forest-summary")).to_contain_text("2 HR estimates from 1 study")
    box = plot.bounding_box()
    assert box and box["width"] > 600 and box["height"] > 100
    page.screenshot(path=shots / "serve-forest-immunotherapy-os.png")
    page.locator("#kb-therapy").fill("")
    page.get_by_role("button", name="Draw").click()
    expect(page.locator("h1")).to_have_text("Forest plot: HR, OS")
    rows = plot.locator("g.kb-forest-row")
    assert rows.count() >= 2
    plot.screenshot(path=shots / "serve-forest.png")

    _only_local(requests, blocked)
    for name in ("serve-home", "serve-evidence-facets", "serve-search", "serve-evidence-query",
                 "serve-forest-immunotherapy-os", "serve-forest"):
        assert (shots / f"{name}.png").stat().st_size > 5_000, name
    print(f"screenshots: {shots}")


def test_a_request_elsewhere_fails_the_check(server, browser_page):
    """The guard is real: a page that asks for a foreign URL is caught and blocked."""
    page, requests, blocked = browser_page
    before = len(blocked)
    page.goto(server + "/")
    page.evaluate("() => fetch('http://example.com/x').catch(() => null)")
    page.wait_for_timeout(200)
    assert blocked[before:] == ["http://example.com/x"]
    with pytest.raises(AssertionError, match="outside 127.0.0.1"):
        _only_local(requests, blocked)
    del blocked[before:]
    requests[:] = [u for u in requests if "example.com" not in u]
