"""Login CSRF in a real browser: a page served by another local server (another origin) posts
a login form to the cloud; the browser must come back without a session cookie. The cloud's
own console login in the same browser still works."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from smartstore.broker import free_port
from tests.cloud.web.server import ARGS, PASSWORD, ConsoleServer, console_server

pytestmark = pytest.mark.browser

EVIL = """<!DOCTYPE html>
<html><body>
<form id="f" method="post" action="{action}">
  <input name="username" value="manager">
  <input name="password" value="{password}">
</form>
<script>document.getElementById("f").submit();</script>
</body></html>
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ConsoleServer]:
    with console_server(tmp_path / "cloud") as srv:
        yield srv


@pytest.fixture
def attacker_site(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A plain static web server on another port: the third-party site."""
    root = tmp_path / "evil"
    root.mkdir()
    port = free_port()
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, port
    finally:
        httpd.shutdown()
        thread.join(5)


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        yield chromium
        chromium.close()


def _session_cookies(context: Any, url: str) -> list[str]:
    return [c["value"] for c in context.cookies(url) if c["name"] == "smartstore_session"]


def test_a_login_form_posted_from_another_origin_sets_no_session(
    server: ConsoleServer, attacker_site: tuple[Path, int], browser: Any
) -> None:
    root, port = attacker_site
    # localhost:P is another site, 127.0.0.1:P the same site on another port: both refused.
    for host in ("localhost", "127.0.0.1"):
        for target in ("/api/v1/auth/session", "/api/v1/auth/token"):
            (root / "evil.html").write_text(
                EVIL.format(action=server.url + target, password=PASSWORD)
            )
            context = browser.new_context()
            page = context.new_page()
            with page.expect_response(lambda r, t=target: r.url == server.url + t) as answer:
                page.goto(f"http://{host}:{port}/evil.html")
            assert answer.value.status == 403, (host, target)
            assert "access_token" not in answer.value.text()
            assert _session_cookies(context, server.url) == []
            context.close()

    # The real console login, from the cloud's own page, still works in such a browser.
    context = browser.new_context()
    page = context.new_page()
    page.goto(server.url + "/console/login")
    page.fill("#username", "manager")
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(server.url + "/console**")
    assert "/console/login" not in page.url
    assert len(_session_cookies(context, server.url)) == 1
    context.close()
