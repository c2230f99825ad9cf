"""The two endings of a console form POST: a saved write keeps its audit entry and redirects,
a refused one keeps nothing and says why next to the field."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cloud.audit.models import AuditEntry
from cloud.auth.models import Role
from cloud.auth.service import Principal
from cloud.stores import service as stores
from cloud.stores.models import Store
from cloud.web.console import FieldErrors, Viewer
from cloud.web.forms import refused, saved

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
VIEWER = Viewer(Principal(user_id=7, username="boss", role=Role.ADMIN), csrf="c", lang="en")


def test_saved_commits_the_write_with_its_audit_entry_and_answers_303(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        store = stores.create_store(session, "store-x", "Store X")
        response = saved(
            session,
            VIEWER,
            NOW,
            "create",
            "store",
            store.code,
            to="/console/stores/store-x?saved=1",
            store_id=store.id,
            details={"name": "Store X"},
        )
        store_id = store.id
    assert response.status_code == 303
    assert response.headers["location"] == "/console/stores/store-x?saved=1"
    with session_factory() as session:
        assert session.scalars(select(Store.code)).all() == ["store-x"]
        entry = session.scalars(select(AuditEntry)).one()
        assert (entry.actor, entry.actor_id, entry.action) == ("boss", 7, "create")
        assert (entry.entity, entry.entity_id, entry.store_id) == ("store", "store-x", store_id)
        assert entry.details == {"name": "Store X"}
        assert entry.at == NOW


def test_refused_keeps_nothing_of_the_write_and_names_the_field(
    session_factory: sessionmaker[Session],
) -> None:
    errors = FieldErrors(name="required")
    with session_factory() as session:
        stores.create_store(session, "store-y", "Store Y")
        refused(session, errors, "code", "store 'store-y' already exists")
        session.commit()  # what a handler's later commit would keep: nothing
    assert errors == {"name": "required", "code": "store 'store-y' already exists"}
    with session_factory() as session:
        assert session.scalars(select(Store)).all() == []
        assert session.scalars(select(AuditEntry)).all() == []
