"""Migration 0220 on a database with feedback in the old statuses (SQLite and PostgreSQL):
each old status maps to new/answered/closed, and the old check gives way to the new one."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from cloud.db.migrate import upgrade
from cloud.db.session import make_engine

OLD_ROWS = [
    ("in_progress", ""),
    ("resolved", "We restocked it."),
    ("resolved", ""),
    ("dismissed", ""),
    ("new", ""),
]


def test_old_statuses_map_to_new_answered_closed(db_url: str) -> None:
    upgrade(db_url, "0190")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            for status, response in OLD_ROWS:
                conn.execute(
                    text(
                        "INSERT INTO member_feedback (message, status, response, created_at) "
                        "VALUES ('m', :s, :r, CURRENT_TIMESTAMP)"
                    ),
                    {"s": status, "r": response},
                )
        upgrade(db_url, "head")
        with engine.begin() as conn:
            rows = conn.execute(text("SELECT status, source FROM member_feedback ORDER BY id"))
            assert [tuple(r) for r in rows] == [
                ("new", "api"),
                ("answered", "api"),
                ("closed", "api"),
                ("closed", "api"),
                ("new", "api"),
            ]
            conn.execute(text("UPDATE member_feedback SET status = 'answered' WHERE id = 1"))
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text("UPDATE member_feedback SET status = 'resolved' WHERE id = 1"))
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text("UPDATE member_feedback SET rating = 6 WHERE id = 1"))
    finally:
        engine.dispose()
