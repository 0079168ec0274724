"""The HTML report in a real browser: headless Chromium (Debian's `chromium` and
`chromium-driver`, which .ci/run installs) opens the page the real command line wrote for
fixtures/flask_service, and the DOM is checked against the JSON report of the same run: the
chart has one bar per checklist item, each filter shows exactly the findings it should, a click
on a route-table header sorts it, and the page raises no error (a CSP violation is one). A
screenshot is saved under the test's tmp_path.

Skips only when Chromium or its driver is not installed; selenium is in the `test` extra.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_runner import REPO, run_reviewer

from reviewer.model import Report
from reviewer.reporters import render_report
from reviewer.reporters.routes import COLUMNS
from reviewer.scoring import ChecklistItem

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
FIXTURE = REPO / "fixtures" / "flask_service"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="headless Chromium is not installed (apt-get install chromium chromium-driver; "
    ".ci/run installs it)",
)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One real review of the fixture writing both reports: (the page, the JSON document)."""
    out = tmp_path_factory.mktemp("html")
    result = run_reviewer(
        str(FIXTURE),
        "-q",
        "--no-cache",
        "--disable-analyzer",
        "semgrep",
        "--format",
        "html",
        "-o",
        str(out / "report.html"),
        "--format",
        "json",
        "-o",
        str(out / "report.json"),
        cwd=out,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return out / "report.html", document


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root in a container
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1600",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _visible(driver: Any) -> list[Any]:
    """The findings the browser renders (a box in the layout), in one round trip."""
    return list(
        driver.execute_script(
            "return Array.from(document.querySelectorAll('#findings .finding'))"
            ".filter(function (e) { return e.getClientRects().length > 0; })"
        )
    )


def _choose(driver: Any, element_id: str, value: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, element_id)).select_by_value(value)


def _type_path(driver: Any, text: str) -> None:
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.ID, "filter-path")
    field.clear()
    if text:
        field.send_keys(text)
    else:  # clear() fires no input event
        driver.execute_script(
            "arguments[0].dispatchEvent(new Event('input', {bubbles: true}))", field
        )


def _item(finding: dict[str, Any], checklist: set[str]) -> str:
    return finding["item"] if finding["item"] in checklist else "other"


def test_the_page_works_in_chromium(
    browser: Any, outputs: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    page, document = outputs
    driver.get(page.as_uri())
    active = [f for f in document["findings"] if not f["suppressed"]]
    checklist = {item["id"] for item in document["checklist"]}
    assert len(active) > 20 and len(document["routes"]) > 20  # a fixture worth filtering

    # the chart: one bar per checklist item, in the report's order, sized by its score
    bars = driver.find_elements(By.CSS_SELECTOR, "#score-chart .chart-item")
    items = document["score"]["items"]
    assert [b.get_attribute("data-item") for b in bars] == [i["item"] for i in items]
    for bar, item in zip(bars, items, strict=True):
        if item["score"] is not None:
            width = float(bar.find_element(By.CSS_SELECTOR, "rect.bar").get_attribute("width"))
            assert width == pytest.approx(420 * item["score"] / 100, abs=0.1)
    overall = driver.find_element(By.ID, "overall-score").text
    assert overall == f"{document['score']['overall']:.1f}"

    # the embedded data parses in the page and is the JSON report
    embedded = driver.execute_script(
        "return JSON.parse(document.getElementById('report-data').textContent)"
    )
    assert embedded["findings"] == document["findings"]

    # no filter: every active finding
    assert len(_visible(driver)) == len(active)
    assert driver.find_element(By.ID, "shown-count").text.startswith(f"{len(active)} of ")

    # severity
    _choose(driver, "filter-severity", "high")
    shown = _visible(driver)
    assert len(shown) == sum(f["severity"] == "high" for f in active) > 0
    assert {e.get_attribute("data-severity") for e in shown} == {"high"}
    _choose(driver, "filter-severity", "")

    # checklist item: the one with most findings, then an item chosen by clicking its bar
    counts: dict[str, int] = {}
    for finding in active:
        counts[_item(finding, checklist)] = counts.get(_item(finding, checklist), 0) + 1
    busiest = max(counts, key=lambda k: counts[k])
    _choose(driver, "filter-item", busiest)
    assert len(_visible(driver)) == counts[busiest] < len(active)
    other = next(k for k in counts if k != busiest and k != "other")
    driver.execute_script(
        "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))",
        next(b for b in bars if b.get_attribute("data-item") == other),
    )
    assert len(_visible(driver)) == counts[other]
    _choose(driver, "filter-item", "")

    # path (a substring, as typed)
    _type_path(driver, "routes/orders")
    expected = [f for f in active if "routes/orders" in f["location"]["path"]]
    assert 0 < len(_visible(driver)) == len(expected) < len(active)
    # all three at once
    severity = expected[0]["severity"]
    item = _item(expected[0], checklist)
    _choose(driver, "filter-severity", severity)
    _choose(driver, "filter-item", item)
    both = [f for f in expected if f["severity"] == severity and _item(f, checklist) == item]
    assert len(_visible(driver)) == len(both) > 0
    _choose(driver, "filter-severity", "")
    _choose(driver, "filter-item", "")
    _type_path(driver, "")
    assert len(_visible(driver)) == len(active)

    # every shown finding has a code frame with its line marked
    first = _visible(driver)[0]
    line = first.find_element(By.CSS_SELECTOR, "pre.frame span.hit").text
    assert line.split()[0].isdigit()

    # the route table: the routes reporter's columns; a header click sorts, a second reverses
    table = driver.find_element(By.ID, "routes")
    heads = table.find_elements(By.CSS_SELECTOR, "thead th")
    assert [h.text for h in heads] == list(COLUMNS)
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == len(document["routes"])
    unauthenticated = [r for r in document["routes"] if not r["auth"] and not r["public"]]
    auth_cells = table.find_elements(By.CSS_SELECTOR, "tbody td:nth-child(4)")
    assert sum(c.text == "none" for c in auth_cells) == len(unauthenticated) > 0

    def column(index: int) -> list[str]:
        return [
            c.text for c in table.find_elements(By.CSS_SELECTOR, f"tbody td:nth-child({index + 1})")
        ]

    method = COLUMNS.index("method")
    before = column(method)
    heads[method].find_element(By.TAG_NAME, "button").click()
    assert heads[method].get_attribute("aria-sort") == "ascending"
    assert column(method) == sorted(before, key=str.casefold) != before
    heads[method].find_element(By.TAG_NAME, "button").click()
    assert heads[method].get_attribute("aria-sort") == "descending"
    assert column(method) == sorted(before, key=str.casefold, reverse=True)
    assert sorted(column(COLUMNS.index("path"))) == sorted(r["path"] for r in document["routes"])

    # no script error and no CSP violation (Chromium logs both as SEVERE)
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors

    screenshot = tmp_path / "report.png"
    driver.execute_script("window.scrollTo(0, 0)")
    assert driver.save_screenshot(str(screenshot))
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_suppressed_findings_and_markup_in_messages(
    browser: Any, report: Report, checklist: tuple[ChecklistItem, ...], tmp_path: Path
) -> None:
    """The sample report: its suppressed finding appears only when asked for, and a message
    holding `<b>500</b>` is shown as those characters, never as an element."""
    from selenium.webdriver.common.by import By

    page = tmp_path / "sample.html"
    page.write_text(render_report("html", report, checklist), encoding="utf-8")
    browser.get(page.as_uri())
    assert len(_visible(browser)) == len(report.active) < len(report.findings)
    browser.find_element(By.ID, "show-suppressed").click()
    shown = _visible(browser)
    assert len(shown) == len(report.findings)
    assert [e.get_attribute("data-suppressed") for e in shown].count("1") == 1
    [message] = [
        m for m in browser.find_elements(By.CSS_SELECTOR, ".finding .msg") if "500" in m.text
    ]
    assert message.text == "str(exc) returned to the client <b>500</b>"
    assert not message.find_elements(By.TAG_NAME, "b")
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
