"""Database backup and restore with progress: SQLite's online backup API, pg_dump/pg_restore.

SQLite: ``sqlite3.Connection.backup`` copies pages while the cloud keeps writing (WAL), a few
hundred pages per step so writers are not starved, then the copy is integrity-checked.
PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot, compressed, restorable table by
table); ``pg_restore`` into a database that must be empty unless ``force`` (then ``--clean``).
Progress is reported as ``(done, total, what)``: pages for SQLite, tables for PostgreSQL.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from cloud.exceptions import CloudError

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
PAGES_PER_STEP = 256
_PG_TABLE_LINE = re.compile(r"(?:dumping contents of|processing data for) table \"?([\w.\"]+)")


class BackupError(CloudError):
    """A backup or restore could not be made; the message says why."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    kind: str
    size: int
    steps: int


def _quiet(_done: int, _total: int, _what: str) -> None:
    """Default progress sink."""


def by_tenths(label: str, write: Callable[[str], None]) -> Progress:
    """A progress sink writing ``label: done/total what (pct%)`` once per tenth done."""
    shown = [-1]

    def show(done: int, total: int, what: str) -> None:
        tenth = 10 * done // total if total else 10
        if tenth != shown[0]:
            shown[0] = tenth
            write(f"{label}: {done}/{total} {what} ({100 * done // max(total, 1)}%)")

    return show


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def backup(database_url: str, dest: Path, progress: Progress = _quiet) -> BackupResult:
    """Write a backup of ``database_url`` to ``dest`` (a SQLite file or a pg_dump archive)."""
    url = make_url(database_url)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        return _sqlite_copy(_sqlite_path(url), dest, progress, check_source=True)
    if url.get_backend_name() == "postgresql":
        return _pg_dump(url, dest, progress)
    raise BackupError(f"no backup method for {url.get_backend_name()}")


def restore(
    database_url: str, src: Path, progress: Progress = _quiet, *, force: bool = False
) -> BackupResult:
    """Restore ``src`` into ``database_url``, which must be empty unless ``force``."""
    if not src.is_file():
        raise BackupError(f"{src}: no such backup file")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        target = _sqlite_path(url)
        if target.exists() and target.stat().st_size > 0 and not force:
            raise BackupError(f"{target} exists; restore into a fresh file or pass --force")
        _check_sqlite_file(src)
        return _sqlite_copy(src, target, progress, check_source=False)
    if url.get_backend_name() == "postgresql":
        return _pg_restore(url, src, progress, force=force)
    raise BackupError(f"no restore method for {url.get_backend_name()}")


# SQLite --------------------------------------------------------------------------------------


def _check_sqlite_file(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            ok = conn.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a SQLite database: {exc}") from exc
    if not ok or ok[0] != "ok":
        raise BackupError(f"{path}: integrity check failed: {ok}")


def _sqlite_copy(src: Path, dest: Path, progress: Progress, *, check_source: bool) -> BackupResult:
    if check_source and not src.is_file():
        raise BackupError(f"{src}: no such database file")
    tmp = dest.with_name(f".{dest.name}.partial")
    tmp.unlink(missing_ok=True)
    steps = 0

    def step(_status: int, remaining: int, total: int) -> None:
        nonlocal steps
        steps += 1
        progress(total - remaining, total, "pages")

    try:
        source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
        target = sqlite3.connect(tmp)
        try:
            source.backup(target, pages=PAGES_PER_STEP, progress=step, sleep=0.005)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            target.close()
            source.close()
        _check_sqlite_file(tmp)
        for suffix in ("-wal", "-shm"):
            Path(f"{dest}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup {src} → {dest} failed: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    log.info("SQLite %s copied to %s in %d steps", src, dest, steps)
    return BackupResult(dest, "sqlite", dest.stat().st_size, steps)


# PostgreSQL ------------------------------------------------------------------------------------


def _pg_env(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection flags and env; the password goes in PGPASSWORD, not on the command line."""
    args = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install postgresql-client of the server's version")
    return path


def _table_count(url: URL) -> int:
    from cloud.db.session import make_engine

    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        return len(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _run_with_progress(argv: list[str], env: dict[str, str], total: int, progress: Progress) -> int:
    """Run a pg tool with --verbose, counting its per-table lines as progress."""
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    done = 0
    tail: list[str] = []
    for line in proc.stderr:
        if _PG_TABLE_LINE.search(line):
            done += 1
            progress(min(done, total), total, "tables")
        elif "error" in line.lower():
            tail.append(line.strip())
    code = proc.wait()
    if code != 0:
        raise BackupError(f"{Path(argv[0]).name} exited {code}: {' | '.join(tail[-5:])}")
    progress(total, total, "tables")
    return done


def _pg_dump(url: URL, dest: Path, progress: Progress) -> BackupResult:
    args, env = _pg_env(url)
    total = _table_count(url)
    tmp = dest.with_name(f".{dest.name}.partial")
    argv = [
        _tool("pg_dump"),
        *args,
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        "--verbose",
        f"--file={tmp}",
        str(url.database),
    ]
    try:
        steps = _run_with_progress(argv, env, total, progress)
        listed = subprocess.run(
            [_tool("pg_restore"), "--list", str(tmp)], capture_output=True, text=True, check=False
        )
        if listed.returncode != 0:
            raise BackupError(f"pg_dump archive unreadable: {listed.stderr.strip()}")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("pg_dump of %s → %s (%d tables)", url.database, dest, steps)
    return BackupResult(dest, "pg_dump", dest.stat().st_size, steps)


def _pg_restore(url: URL, src: Path, progress: Progress, *, force: bool) -> BackupResult:
    existing = _table_count(url)
    if existing and not force:
        raise BackupError(
            f"database {url.database} has {existing} tables; restore into a fresh one or --force"
        )
    listed = subprocess.run(
        [_tool("pg_restore"), "--list", str(src)], capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        raise BackupError(f"{src}: not a pg_dump archive: {listed.stderr.strip()}")
    total = sum(1 for ln in listed.stdout.splitlines() if " TABLE DATA " in ln)
    args, env = _pg_env(url)
    argv = [
        _tool("pg_restore"),
        *args,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--verbose",
        f"--dbname={url.database}",
        *(["--clean", "--if-exists"] if force and existing else []),
        str(src),
    ]
    steps = _run_with_progress(argv, env, total, progress)
    log.info("pg_restore of %s into %s (%d tables)", src, url.database, steps)
    return BackupResult(src, "pg_restore", src.stat().st_size, steps)
