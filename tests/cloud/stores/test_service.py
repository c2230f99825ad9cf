"""The store reads the routers and console share: a scoped page, the id → code map, and the
stores among a caller's ids."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from cloud.stores import service


def test_scoped_reads(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        made = [service.create_store(session, code, code.lower()) for code in ("b", "a", "c")]
        made[2].active = False
        session.commit()
        ids = {s.code: s.id for s in made}

        rows, total = service.list_page(session, store_ids=None, active=None, limit=2, offset=0)
        assert ([s.code for s in rows], total) == (["a", "b"], 3)
        rows, total = service.list_page(
            session, store_ids={ids["b"], ids["c"]}, active=True, limit=10, offset=0
        )
        assert ([s.code for s in rows], total) == (["b"], 1)

        assert service.codes(session) == {ids["a"]: "a", ids["b"]: "b", ids["c"]: "c"}
        assert service.codes(session, {ids["c"]}) == {ids["c"]: "c"}
        assert service.codes(session, set()) == {}

        assert [s.code for s in service.among(session, None)] == ["a", "b", "c"]
        assert [s.code for s in service.among(session, [ids["c"], ids["a"]])] == ["a", "c"]
        assert service.find_store(session, "b") is made[0]
        assert service.find_store(session, "z") is None
        assert service.store_by_id(session, ids["a"]) is made[1]
