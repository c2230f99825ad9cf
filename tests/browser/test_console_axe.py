"""axe-core on every console page (the list of tests.support.console_pages, per role, plus the
pages before login): no serious or critical accessibility violation, at a desk and, for the
staff's pages, on a phone.

axe-core comes from the npm registry (tests/browser/package.json, installed by
``scripts/bootstrap.sh --dev``) and is injected by Playwright; the app never serves it. The
console's CSP allows no inline script, so the test context bypasses CSP to inject it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.cloud.web.server import ARGS, PASSWORD, ConsoleServer, console_server
from tests.support.console_pages import ANONYMOUS, PAGES, add_activity

pytestmark = [pytest.mark.browser, pytest.mark.slow]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ConsoleServer, dict[str, str]]]:
    with console_server(tmp_path_factory.mktemp("axe")) as srv:
        with srv.sessions() as s, s.begin():
            ids = add_activity(s, datetime.now(UTC))
        yield srv, ids


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: run scripts/bootstrap.sh --dev (npm ci in tests/browser)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        yield b
        b.close()


def _violations(page: Any, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(RUN)
    return [f"{url}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for v in found]


def _context(browser: Any, width: int, height: int) -> Any:
    return browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)


@pytest.mark.parametrize(
    ("role", "width", "height"),
    [("admin", 1280, 800), ("staff", 1280, 800), ("staff", 375, 812)],
)
def test_every_page_has_no_serious_violation(
    server: tuple[ConsoleServer, dict[str, str]], browser: Any, role: str, width: int, height: int
) -> None:
    srv, ids = server
    ctx = _context(browser, width, height)
    page = ctx.new_page()
    page.goto(srv.url + "/console/login")
    page.fill("#username", role)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url("**/console/**")
    problems = [v for path in PAGES[role] for v in _violations(page, srv.url + path.format(**ids))]
    ctx.close()
    assert not problems, "\n".join(problems)


def test_pages_before_login_have_no_serious_violation(
    server: tuple[ConsoleServer, dict[str, str]], browser: Any
) -> None:
    srv, _ = server
    ctx = _context(browser, 1280, 800)
    page = ctx.new_page()
    problems = [v for path in ANONYMOUS for v in _violations(page, srv.url + path)]
    ctx.close()
    assert not problems, "\n".join(problems)
