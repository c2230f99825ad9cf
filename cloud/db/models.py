"""Every domain's ORM models in one place, for Alembic and ``create_all`` in tests.

Importing a models module registers its tables on ``Base.metadata``; this is done by a
function, not at import time, so ``cloud.db`` stays cheap to import.
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from cloud.db.base import Base

MODEL_MODULES = (
    "cloud.stores.models",
    "cloud.devices.models",
    "cloud.products.models",
    "cloud.members.models",
    "cloud.promotions.models",
    "cloud.inventory.models",
    "cloud.sales.models",
    "cloud.finance.models",
    "cloud.alerts.models",
    "cloud.ingest.models",
    "cloud.reports.models",
    "cloud.forecast.models",
    "cloud.returns.models",
    "cloud.invoices.models",
    "cloud.marketing.models",
    "cloud.notices.models",
    "cloud.attendance.models",
    "cloud.orders.models",
    "cloud.updates.models",
    "cloud.suppliers.models",
    "cloud.purchasing.models",
    "cloud.tasks.models",
    "cloud.feedback.models",
)
OPTIONAL_MODEL_MODULES = ("cloud.auth.models", "cloud.audit.models")
"""Owned by the API side; loaded when present so migrations and tests see its tables."""


def load_models() -> MetaData:
    for name in MODEL_MODULES:
        importlib.import_module(name)
    for name in OPTIONAL_MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise
    return Base.metadata
