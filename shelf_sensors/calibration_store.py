"""Per-lane calibration kept in the node's own table of the outbox SQLite file."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from shelf_sensors.calibration import Calibration
from shelf_sensors.exceptions import CalibrationError

DDL = """
CREATE TABLE IF NOT EXISTS shelf_calibration (
    lane TEXT PRIMARY KEY,
    offset REAL NOT NULL,
    scale REAL NOT NULL,
    updated_at TEXT NOT NULL
)
"""


class CalibrationStore:
    """Small and synchronous: calibrations change a few times a year."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(DDL)
            self._conn.commit()
        except sqlite3.Error as exc:
            raise CalibrationError(f"cannot open calibration store {self.path}: {exc}") from exc

    def load(self) -> dict[str, Calibration]:
        with self._lock:
            rows = self._conn.execute("SELECT lane, offset, scale FROM shelf_calibration")
            return {lane: Calibration(offset, scale) for lane, offset, scale in rows}

    def get(self, lane: str) -> Calibration | None:
        return self.load().get(lane)

    def save(self, lane: str, cal: Calibration) -> None:
        with self._lock:
            try:
                self._conn.execute(
                    "INSERT INTO shelf_calibration (lane, offset, scale, updated_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT(lane) DO UPDATE SET"
                    " offset = excluded.offset, scale = excluded.scale,"
                    " updated_at = excluded.updated_at",
                    (lane, cal.offset, cal.scale, datetime.now(UTC).isoformat()),
                )
                self._conn.commit()
            except sqlite3.Error as exc:
                raise CalibrationError(f"cannot save calibration of lane {lane}: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._conn.close()
