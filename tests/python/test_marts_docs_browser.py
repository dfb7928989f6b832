"""The dbt docs site in a real browser (issue 6).

Generates the static docs of the shared small portfolio, opens them in headless
Chromium (Debian's `chromium` + `chromium-driver`, installed here with apt-get
when missing; never a downloaded browser), shows the lineage graph of
`v_collection_priority` and its upstream, checks that the node and the raw
telemetry source it comes from are in the graph, and saves a screenshot to
artifacts/docs_lineage_v_collection_priority.png.

Without Chromium and without a way to install it the test skips with the
reason, except with CI=true, where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from predelq.db import PROJECT_DIR

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = PROJECT_DIR / "artifacts"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
NODE = "model.predelq.v_collection_priority"
RAW_TELEMETRY = "source.predelq.telematics.raw_telemetry"


def _install_chromium() -> str | None:
    """None when chromium and its driver are there (installing them if needed), else why not."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return None
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return "chromium is missing and apt-get cannot install it here (not root or no apt-get)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"],
    ):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode:
            return f"{' '.join(cmd)} failed: {(done.stderr or done.stdout).strip()[-300:]}"
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return None
    return "apt-get ran but /usr/bin/chromium or /usr/bin/chromedriver is still missing"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    reason = _install_chromium()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium must never fetch a driver or browser
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1600,1000",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


# The cytoscape instance dbt docs draws the graph with hangs off its container element.
FIND_NODE_JS = """
const holder = Array.from(document.querySelectorAll('div')).find(e => e._cyreg && e._cyreg.cy);
if (!holder) { return null; }
const cy = holder._cyreg.cy;
const node = cy.getElementById(arguments[0]);
const visible = cy.nodes().filter(n => n.visible()).map(n => n.id());
if (node.length) {
    cy.nodes().unselect();
    node.select();
    cy.fit(cy.nodes().filter(n => n.visible()), 30);
}
return {found: node.length, label: node.length ? node.data('label') : null, visible: visible};
"""


def _wait_for_node(browser, seconds: float = 60) -> dict | None:
    """The graph's answer once the node is drawn (None if the page never draws a graph)."""
    graph = None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        graph = browser.execute_script(FIND_NODE_JS, NODE)
        if graph and graph["found"]:
            break
        time.sleep(0.5)
    return graph


def test_docs_lineage_shows_v_collection_priority(built_duckdb, browser):
    built_duckdb.dbt("docs", "generate", "--static")
    page = built_duckdb.workdir / "target" / "static_index.html"
    assert page.exists(), "dbt docs generate --static wrote no static_index.html"

    browser.get(f"{page.as_uri()}#!/overview?g_v=1&g_i=%2Bv_collection_priority")
    graph = _wait_for_node(browser)
    assert graph, "no lineage graph on the page"
    assert graph["found"] == 1 and graph["label"] == "v_collection_priority", graph
    assert NODE in graph["visible"]
    assert RAW_TELEMETRY in graph["visible"], "the graph does not reach raw telemetry"
    time.sleep(1.5)  # let the layout animation settle before the picture

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "docs_lineage_v_collection_priority.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 20_000, "screenshot suspiciously small (blank page?)"

    # a close-up: the node and the two generations before it (selector 2+v_collection_priority)
    browser.get("about:blank")  # a fresh load: the site reads the selection only when it starts
    browser.get(f"{page.as_uri()}#!/overview?g_v=1&g_i=2%2Bv_collection_priority")
    deadline = time.monotonic() + 30
    close = _wait_for_node(browser)
    while len(close["visible"]) >= len(graph["visible"]) and time.monotonic() < deadline:
        time.sleep(0.5)  # the page redraws the graph for the new selection
        close = _wait_for_node(browser)
    assert close["found"] == 1 and len(close["visible"]) < len(graph["visible"]), close["visible"]
    time.sleep(1.5)
    browser.save_screenshot(str(ARTIFACTS / "docs_lineage_v_collection_priority_closeup.png"))

    # and the model's own page names it and shows its description
    browser.get("about:blank")
    browser.get(f"{page.as_uri()}#!/model/{NODE}")
    deadline = time.monotonic() + 30
    text = ""
    while time.monotonic() < deadline and "expected loss" not in text.lower():
        time.sleep(0.5)
        text = browser.find_element("tag name", "body").text
    assert "v_collection_priority" in text and "expected loss" in text.lower()
    browser.save_screenshot(str(ARTIFACTS / "docs_model_v_collection_priority.png"))
