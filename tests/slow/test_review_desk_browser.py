"""The review desk in a real browser (Playwright driving Debian's chromium), served by uvicorn on
127.0.0.1: open the queue, open a run, accept an estimate with the keyboard only, see the queue
shrink and `flopledger review list` agree. Plus: the desk's modules never load Prefect."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest

from tests.cli_runner import run_cli
from tests.desk_warehouse import land_curated

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """(base URL, warehouse) of a desk served by uvicorn in a thread."""
    import uvicorn

    from flows.settings import assumption_sets
    from flows.web.app import create_app
    from flows.web.guard import DeskConfig

    warehouse = land_curated(tmp_path / "w.duckdb", "run-1")
    port = free_port()
    config = DeskConfig(warehouse=warehouse, port=port, reviewer="dee", known_sets=assumption_sets())
    server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", warehouse
    server.should_exit = True
    thread.join(timeout=10)


def open_rows(warehouse) -> set[tuple[str, str]]:
    listed = run_cli("review", "list", "--warehouse", warehouse, "--format", "json")
    assert listed.returncode == 0, listed.stderr
    return {(r["run_id"], r["assumption_set"]) for r in json.loads(listed.stdout)}


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium; "
                                             ".ci/run installs it when missing)")
def test_accept_an_estimate_in_the_browser_with_the_keyboard(served, tmp_path):
    from playwright.sync_api import sync_playwright

    base, warehouse = served
    before = open_rows(warehouse)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base + "/")
            links = page.locator("a.row-link")
            assert links.count() == len(before) == int(page.locator("#count-open").inner_text())
            assert "last run:" in page.locator("#last-run").inner_text()
            first = links.nth(0).inner_text()
            first_set = links.nth(0).get_attribute("href").split("set=")[1].split("&")[0]
            page.keyboard.press("j")  # the first row has focus; j moves to the second, k back
            assert page.evaluate("document.activeElement.textContent") == links.nth(1).inner_text()
            page.keyboard.press("k")
            page.keyboard.press("Enter")
            page.wait_for_url(f"**/runs/{first}?*")
            assert page.locator("#side-operations").is_visible() and page.locator("#side-hardware").is_visible()
            page.screenshot(path=str(tmp_path / "run.png"), full_page=True)
            page.keyboard.press("o")  # accept operations; the note takes focus
            assert page.locator("#accept-operations").is_checked()
            page.keyboard.type("6ND from the paper's own table")
            page.keyboard.press("Control+Enter")
            page.wait_for_url(base + "/?*")
            assert f"Recorded: {first}" in page.locator(".notice").inner_text()
            shown = {(a.inner_text(), a.get_attribute("href").split("set=")[1].split("&")[0])
                     for a in page.locator("a.row-link").all()}
        finally:
            browser.close()
    after = open_rows(warehouse)
    assert len(after) == len(before) - 1
    assert after == shown, shown
    assert before - after == {(first, first_set)}
    assert (tmp_path / "run.png").stat().st_size > 10_000


def test_the_desk_never_loads_prefect(tmp_path):
    probe = ("import sys; import flows.web.app, flows.cli.review_serve; from flows.cli.main import main; "
             "code = main(['review', 'serve', '--host', '0.0.0.0', '--warehouse', sys.argv[1]]); "
             "print(code, 'prefect' in sys.modules)")
    warehouse = tmp_path / "absent.duckdb"
    result = subprocess.run([sys.executable, "-c", probe, str(warehouse)], capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin"})
    assert result.stdout.split() == ["2", "False"], result.stderr
