"""Every console page in Simplified Chinese, as admin, manager and staff: no English word
outside the allow-list (brand, codes, units) and no ``{placeholder}`` left unformatted.

Over the demo seed (600 products, three stores, members, promotions) plus lanes in every
state and alerts of each kind, so the words of populated tables and cards are checked too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.models import load_models
from cloud.db.session import make_engine
from cloud.db.sqlite import use_immediate_transactions
from cloud.main import create_app
from cloud.products.models import Product
from cloud.seed.service import seed
from cloud.settings import CloudSettings
from cloud.web.commands import MemorySender
from tests.support.console_pages import (
    ANONYMOUS,
    PAGES,
    add_activity,
    data_strings,
    english_words,
    placeholders,
)

PASSWORD = "demo-password-1"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]*)"')


@dataclass
class Demo:
    client: TestClient
    sessions: sessionmaker[Session]
    ids: dict[str, str]
    data: list[str]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder: Path = tmp_path_factory.mktemp("i18n")
    db = f"sqlite:///{folder / 'console.sqlite3'}"
    engine = use_immediate_transactions(make_engine(db))
    load_models().create_all(engine)
    app = create_app(CloudSettings(database_url=db), engine=engine)  # type: ignore[arg-type]
    app.state.console.commands = MemorySender()
    sessions: sessionmaker[Session] = app.state.ctx.sessions
    now = datetime.now(UTC)
    with sessions() as s, s.begin():
        seed(s, password=PASSWORD, now=now)
        ids = add_activity(s, now)
    with sessions() as s:
        data = data_strings(s)
    with TestClient(app) as client:
        client.cookies.set("lang", "zh-Hans")
        yield Demo(client, sessions, ids, data)
    engine.dispose()


def _login(client: TestClient, username: str) -> None:
    client.cookies.delete("smartstore_session")
    page = client.get("/console/login")
    token = CSRF_RE.search(page.text)
    assert token is not None
    res = client.post(
        "/console/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert res.status_code == 303, res.text[:500]


def _check(demo: Demo, path: str) -> list[str]:
    res = demo.client.get(path)
    if res.status_code != 200:
        return [f"{path}: status {res.status_code}"]
    problems = []
    if words := english_words(res.text, demo.data):
        problems.append(f"{path}: English {words}")
    if left := placeholders(res.text):
        problems.append(f"{path}: placeholders {left}")
    return problems


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_page_in_chinese(demo: Demo, role: str) -> None:
    _login(demo.client, role)
    problems = [p for path in PAGES[role] for p in _check(demo, path.format(**demo.ids))]
    assert not problems, "\n".join(problems)


def test_login_pages_in_chinese(demo: Demo) -> None:
    demo.client.cookies.delete("smartstore_session")
    problems = [p for path in ANONYMOUS for p in _check(demo, path)]
    assert not problems, "\n".join(problems)


NAV_LINK = re.compile(r'<nav class="main"[^>]*>(.*?)</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')


@pytest.mark.parametrize("role", sorted(PAGES))
def test_navigation_lists_every_page_and_each_link_opens(demo: Demo, role: str) -> None:
    """Every top-level page of the role is in its navigation, on a store page and off one
    (admins keep Dashboard and Alerts on pages not tied to a store), and every link opens."""
    _login(demo.client, role)
    for where in (
        "/console/s/demo/alerts",
        "/console/reports" if role != "staff" else "/console/crm",
    ):
        found = NAV_LINK.search(demo.client.get(where).text)
        assert found is not None, where
        links = HREF.findall(found.group(1))
        for link in links:
            assert demo.client.get(link).status_code == 200, (where, link)
        assert {"/console/crm", "/console/crm/returns"} <= set(links), (where, links)
        assert any(link.endswith("/alerts") for link in links), (where, links)
        if role != "staff":
            assert any(link in ("/console/s/demo", "/console/head-office") for link in links)
        assert any(link.endswith("/shelves") for link in links), (where, links)


def test_breadcrumbs_lead_back(demo: Demo) -> None:
    _login(demo.client, "manager")
    html = demo.client.get("/console/s/demo/inventory/receive").text
    crumbs = re.search(r'<nav class="crumbs"[^>]*>(.*?)</nav>', html, re.S)
    assert crumbs is not None
    assert HREF.findall(crumbs.group(1)) == [
        "/console",
        "/console/s/demo",
        "/console/s/demo/inventory",
    ]


def test_invoices_page_lists_the_stores_invoices_with_their_pdf(demo: Demo) -> None:
    _login(demo.client, "manager")
    page = demo.client.get("/console/invoices")
    row = re.search(r'<tr data-invoice="([^"]+)">(.*?)</tr>', page.text, re.S)
    assert row is not None, page.text[-2000:]
    assert "Acme Trading" in row.group(2)
    assert "¥" in row.group(2)
    pdf = demo.client.get(f"/api/v1/invoices/{row.group(1)}/pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_feedback_page_replies_and_closes_it(demo: Demo) -> None:
    _login(demo.client, "manager")
    page = demo.client.get("/console/feedback")
    found = re.search(r'<li [^>]*id="feedback-(\d+)" data-status="new"', page.text)
    assert found is not None, page.text[-1500:]
    token = CSRF_RE.search(page.text)
    assert token is not None
    url, csrf = f"/console/feedback/{found.group(1)}", token.group(1)
    form = {"action": "answer", "response": "Restocked twice a day now.", "csrf_token": csrf}
    res = demo.client.post(url, data=form, follow_redirects=True)
    assert res.status_code == 200
    assert f'id="feedback-{found.group(1)}" data-status="answered"' in res.text  # still open
    assert "Restocked twice a day now." in res.text
    res = demo.client.post(url, data={"action": "close", "csrf_token": csrf}, follow_redirects=True)
    assert f'id="feedback-{found.group(1)}"' not in res.text  # no longer open
    done = demo.client.get("/console/feedback?show=all").text
    assert f'id="feedback-{found.group(1)}" data-status="closed"' in done


def test_alert_texts_name_the_product_in_chinese(demo: Demo) -> None:
    """Each alert kind says what happened in the reader's words: the lane alert and the
    negative-stock alert name the product by its Chinese name, the intervention its kind."""
    _login(demo.client, "staff")
    page = demo.client.get("/console/s/demo/alerts").text
    texts = dict(re.findall(r'data-type="([a-z_]+)".*?<div class="what">([^<]*)</div>', page, re.S))
    with demo.sessions() as s:
        name_zh = s.scalars(select(Product.name_zh).where(Product.sku == demo.ids["sku"])).one()
    assert set(texts) >= {"out_of_stock", "low_stock", "negative_stock", "kiosk_intervention"}
    assert name_zh
    assert name_zh in texts["negative_stock"], texts
    assert "账面库存 -2" in texts["negative_stock"], texts
    assert "年龄核验" in texts["kiosk_intervention"], texts
    assert "剩 0 件" in texts["out_of_stock"], texts
