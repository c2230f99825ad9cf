"""Who may call each operation of the API: the one table of expected outcomes.

Every operation of the OpenAPI document has exactly one row (tests/cloud/api/
test_access_matrix.py fails on an operation without a row, or a row without an operation),
and docs/SECURITY.md shows the table as generated here:
``.venv/bin/python -m tests.cloud.api.access_table --write`` rewrites that section, a test
checks they agree.

Cells, one per role:
- ``yes``: allowed (the operation names no store);
- ``all``: allowed in every store;
- ``own``: allowed in the caller's own stores, 403 in another store;
- ``-``: refused: 403 for a signed-in role, 401 for anonymous.
The matrix test signs in as each role (the manager, staff and cashier belong to store-a), and
for an operation that names a store asks once for store-a ("own") and once for store-b
("foreign"); an allowed request must succeed (2xx).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ROLES = ("admin", "hq", "manager", "staff", "cashier", "anonymous")
STORE_CELLS = frozenset({"all", "own", "-"})
CHAIN_CELLS = frozenset({"yes", "-"})

# fmt: off
TABLE = """
operation                                           admin hq   manager staff cashier anonymous
POST   /api/v1/auth/token                           yes   yes  yes     yes   yes     yes
POST   /api/v1/auth/session                         yes   yes  yes     yes   yes     yes
GET    /api/v1/auth/csrf                            yes   yes  yes     yes   yes     -
POST   /api/v1/auth/logout                          yes   yes  yes     yes   yes     -
GET    /api/v1/auth/me                              yes   yes  yes     yes   yes     -
POST   /api/v1/auth/password                        yes   yes  yes     yes   yes     -
POST   /api/v1/auth/password-reset                  yes   yes  yes     yes   yes     yes
POST   /api/v1/auth/password-reset/confirm          yes   yes  yes     yes   yes     yes
GET    /api/v1/users                                yes   -    -       -     -       -
POST   /api/v1/users                                yes   -    -       -     -       -
GET    /api/v1/users/{user_id}                      yes   -    -       -     -       -
PATCH  /api/v1/users/{user_id}                      yes   -    -       -     -       -
DELETE /api/v1/users/{user_id}                      yes   -    -       -     -       -
POST   /api/v1/users/{user_id}/unlock               yes   -    -       -     -       -
GET    /api/v1/stores                               yes   yes  yes     yes   -       -
POST   /api/v1/stores                               yes   -    -       -     -       -
GET    /api/v1/stores/{store}                       all   -    own     own   -       -
PATCH  /api/v1/stores/{store}                       all   -    own     -     -       -
GET    /api/v1/stores/{store}/devices               all   -    own     own   -       -
POST   /api/v1/stores/{store}/devices               all   -    own     -     -       -
GET    /api/v1/stores/{store}/devices/{node}        all   -    own     own   -       -
GET    /api/v1/stores/{store}/prices                all   all  own     own   -       -
PUT    /api/v1/stores/{store}/prices/{sku}          all   all  own     -     -       -
DELETE /api/v1/stores/{store}/prices/{sku}          all   all  own     -     -       -
GET    /api/v1/products                             yes   yes  yes     yes   -       -
POST   /api/v1/products                             yes   yes  -       -     -       -
GET    /api/v1/products/{sku}                       yes   yes  yes     yes   -       -
PATCH  /api/v1/products/{sku}                       yes   yes  -       -     -       -
DELETE /api/v1/products/{sku}                       yes   yes  -       -     -       -
POST   /api/v1/products/{sku}/barcodes              yes   yes  -       -     -       -
DELETE /api/v1/products/{sku}/barcodes/{gtin}       yes   yes  -       -     -       -
GET    /api/v1/categories                           yes   yes  yes     yes   -       -
POST   /api/v1/categories                           yes   yes  -       -     -       -
GET    /api/v1/promotions                           all   all  own     own   -       -
POST   /api/v1/promotions                           all   all  own     -     -       -
GET    /api/v1/promotions/{code}                    all   all  own     own   -       -
PATCH  /api/v1/promotions/{code}                    all   all  own     -     -       -
DELETE /api/v1/promotions/{code}                    all   all  own     -     -       -
GET    /api/v1/members/lookup/balance               yes   -    yes     yes   yes     -
GET    /api/v1/members/{member_id}/tier-changes     yes   -    yes     yes   -       -
POST   /api/v1/members/tiers/refresh                yes   -    yes     -     -       -
PUT    /api/v1/members/{member_id}/channels/{channel} yes -    yes     yes   -       -
GET    /api/v1/members/{member_id}/coupons          yes   -    yes     yes   -       -
POST   /api/v1/coupons                              yes   yes  yes     -     -       -
GET    /api/v1/coupons/limits                       yes   yes  yes     -     -       -
PUT    /api/v1/coupons/limits                       yes   yes  -       -     -       -
GET    /api/v1/coupons/conflicts                    yes   -    yes     yes   -       -
GET    /api/v1/coupons/{code}                       yes   yes  yes     yes   yes     -
GET    /api/v1/marketing/segments                   yes   yes  yes     -     -       -
POST   /api/v1/marketing/segments/preview           yes   yes  yes     -     -       -
GET    /api/v1/marketing/members/{member_id}/profile yes  -    yes     yes   -       -
GET    /api/v1/marketing/together                   yes   yes  yes     yes   -       -
POST   /api/v1/marketing/campaigns                  yes   yes  yes     -     -       -
POST   /api/v1/marketing/campaigns/{code}/send      yes   yes  yes     -     -       -
GET    /api/v1/returns/sale/{sale_ref}              all   -    own     own   -       -
POST   /api/v1/returns                              all   -    own     own   -       -
GET    /api/v1/returns                              all   -    own     own   -       -
GET    /api/v1/returns/reasons                      all   -    own     own   -       -
POST   /api/v1/invoices                             all   -    own     own   -       -
GET    /api/v1/invoices                             all   -    own     own   -       -
POST   /api/v1/invoices/receipt                     yes   yes  yes     yes   yes     yes
GET    /api/v1/invoices/export.csv                  all   -    own     own   -       -
GET    /api/v1/invoices/{invoice_no}/pdf            all   -    own     own   -       -
GET    /api/v1/members                              yes   -    yes     yes   -       -
POST   /api/v1/members                              yes   -    yes     yes   -       -
GET    /api/v1/members/{member_id}                  yes   -    yes     yes   -       -
PATCH  /api/v1/members/{member_id}                  yes   -    yes     yes   -       -
DELETE /api/v1/members/{member_id}                  yes   -    yes     -     -       -
GET    /api/v1/members/{member_id}/points           yes   -    yes     yes   -       -
POST   /api/v1/members/{member_id}/points           yes   -    yes     -     -       -
GET    /api/v1/inventory/{store}/on-hand            all   -    own     own   -       -
GET    /api/v1/inventory/{store}/movements          all   -    own     own   -       -
POST   /api/v1/inventory/{store}/receiving          all   -    own     own   -       -
POST   /api/v1/inventory/{store}/adjustments        all   -    own     own   -       -
POST   /api/v1/inventory/{store}/stocktake          all   -    own     own   -       -
POST   /api/v1/inventory/{store}/transfers          all   -    own     own   -       -
POST   /api/v1/orders                               all   all  own     own   -       -
GET    /api/v1/orders                               all   all  own     own   -       -
GET    /api/v1/orders/{order_id}                    all   all  own     own   -       -
POST   /api/v1/orders/{order_id}/scans              all   all  own     own   -       -
POST   /api/v1/orders/{order_id}/{action}           all   all  own     own   -       -
GET    /api/v1/pickups/{pickup_code}                all   all  own     own   own     -
POST   /api/v1/pickups/{pickup_code}/collect        all   all  own     own   own     -
GET    /api/v1/suppliers                            yes   yes  yes     yes   -       -
POST   /api/v1/suppliers                            yes   yes  -       -     -       -
GET    /api/v1/suppliers/export.csv                 yes   yes  yes     yes   -       -
POST   /api/v1/suppliers/import                     yes   yes  -       -     -       -
GET    /api/v1/suppliers/{code}                     yes   yes  yes     yes   -       -
PATCH  /api/v1/suppliers/{code}                     yes   yes  -       -     -       -
PUT    /api/v1/suppliers/{code}/items/{sku}         yes   yes  -       -     -       -
DELETE /api/v1/suppliers/{code}/items/{sku}         yes   yes  -       -     -       -
GET    /api/v1/purchase-orders                      all   all  own     own   -       -
POST   /api/v1/purchase-orders                      all   -    own     own   -       -
POST   /api/v1/purchase-orders/from-reorder         all   -    own     -     -       -
GET    /api/v1/purchase-orders/approval-limit       yes   yes  yes     -     -       -
PUT    /api/v1/purchase-orders/approval-limit       yes   yes  -       -     -       -
GET    /api/v1/purchase-orders/payables             all   -    own     -     -       -
GET    /api/v1/purchase-orders/supplier-performance all   -    own     -     -       -
GET    /api/v1/purchase-orders/{number}             all   all  own     own   -       -
GET    /api/v1/purchase-orders/{number}/pdf         all   all  own     own   -       -
GET    /api/v1/purchase-orders/{number}/csv         all   all  own     own   -       -
POST   /api/v1/purchase-orders/{number}/approve     all   all  own     -     -       -
POST   /api/v1/purchase-orders/{number}/send        all   -    own     -     -       -
POST   /api/v1/purchase-orders/{number}/cancel      all   -    own     -     -       -
POST   /api/v1/purchase-orders/{number}/close       all   -    own     -     -       -
POST   /api/v1/purchase-orders/{number}/receipts    all   -    own     own   -       -
POST   /api/v1/purchase-orders/{number}/returns     all   -    own     -     -       -
POST   /api/v1/purchase-orders/{number}/payments    all   -    own     -     -       -
GET    /api/v1/sales                                all   -    own     -     -       -
GET    /api/v1/sales/{sale_id}                      all   -    own     -     -       -
GET    /api/v1/alerts                               all   -    own     own   -       -
GET    /api/v1/alerts/{alert_id}                    all   -    own     own   -       -
POST   /api/v1/alerts/{alert_id}/acknowledge        all   -    own     own   -       -
POST   /api/v1/alerts/{alert_id}/assign             all   -    own     own   -       -
POST   /api/v1/alerts/{alert_id}/resolve            all   -    own     own   -       -
POST   /api/v1/attendance/clock-in                  all   -    own     own   -       -
POST   /api/v1/attendance/clock-out                 all   -    own     own   -       -
GET    /api/v1/attendance                           all   -    own     -     -       -
POST   /api/v1/attendance/rota                      all   -    own     -     -       -
GET    /api/v1/attendance/rota                      all   -    own     own   -       -
DELETE /api/v1/attendance/rota/{rota_id}            all   -    own     -     -       -
GET    /api/v1/attendance/timesheet                 all   -    own     -     -       -
GET    /api/v1/tasks                                all   -    own     own   -       -
POST   /api/v1/tasks                                all   -    own     own   -       -
GET    /api/v1/tasks/metrics                        all   -    own     -     -       -
GET    /api/v1/tasks/{task_id}                      all   -    own     own   -       -
POST   /api/v1/tasks/{task_id}/{action}             all   -    own     own   -       -
POST   /api/v1/feedback                             yes   yes  yes     yes   yes     yes
GET    /api/v1/feedback                             all   -    own     -     -       -
GET    /api/v1/feedback/ratings                     all   -    own     -     -       -
POST   /api/v1/feedback/{feedback_id}/{action}      all   -    own     -     -       -
GET    /api/v1/reports/sales/daily                  all   -    own     -     -       -
GET    /api/v1/reports/{name}                       all   -    own     -     -       -
GET    /api/v1/finance/pnl                          all   -    own     -     -       -
GET    /api/v1/finance/settlement                   all   -    own     -     -       -
POST   /api/v1/finance/expenses                     all   -    own     -     -       -
GET    /api/v1/finance/expenses                     all   -    own     -     -       -
POST   /api/v1/finance/recurring-expenses           all   -    own     -     -       -
GET    /api/v1/forecast/demand                      all   -    own     -     -       -
GET    /api/v1/forecast/backtest                    all   -    own     -     -       -
GET    /api/v1/forecast/reorder                     all   -    own     -     -       -
POST   /api/v1/forecast/orders                      all   -    own     -     -       -
GET    /api/v1/notices                              all   -    own     own   -       -
POST   /api/v1/notices                              all   -    own     -     -       -
DELETE /api/v1/notices/{notice_id}                  all   -    own     -     -       -
GET    /api/v1/deadletters                          yes   -    -       -     -       -
GET    /api/v1/deadletters/{dead_letter_id}         yes   -    -       -     -       -
POST   /api/v1/deadletters/{dead_letter_id}/replay  yes   -    -       -     -       -
POST   /api/v1/deadletters/{dead_letter_id}/discard yes   -    -       -     -       -
GET    /api/v1/audit                                all   -    own     -     -       -
GET    /api/v1/updates/releases                     yes   yes  -       -     -       -
GET    /api/v1/updates/rollouts                     yes   yes  -       -     -       -
POST   /api/v1/updates/rollouts                     yes   yes  -       -     -       -
GET    /api/v1/updates/rollouts/{rollout_id}        yes   yes  -       -     -       -
POST   /api/v1/updates/rollouts/{rollout_id}/{action} yes yes  -       -     -       -
GET    /healthz                                     yes   yes  yes     yes   yes     yes
"""
# fmt: on

BEGIN = "<!-- access-matrix: generated by `python -m tests.cloud.api.access_table --write` -->"
END = "<!-- access-matrix: end -->"
SECURITY_MD = Path(__file__).resolve().parents[3] / "docs" / "SECURITY.md"


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    cells: dict[str, str]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def store_scoped(self) -> bool:
        return any(c in ("all", "own") for c in self.cells.values())


def rows() -> dict[str, Row]:
    """The table parsed: ``"METHOD /path"`` → :class:`Row`; malformed lines raise."""
    lines = [ln for ln in TABLE.strip().splitlines() if ln.strip()]
    header = lines[0].split()
    if tuple(header[1:]) != ROLES:
        raise ValueError(f"header must name the roles {ROLES}, not {header[1:]}")
    out: dict[str, Row] = {}
    for line in lines[1:]:
        method, path, *cells = line.split()
        if len(cells) != len(ROLES):
            raise ValueError(f"{method} {path}: {len(cells)} cells for {len(ROLES)} roles")
        row = Row(method, path, dict(zip(ROLES, cells, strict=True)))
        allowed = STORE_CELLS if row.store_scoped else CHAIN_CELLS
        if not set(cells) <= allowed:
            raise ValueError(f"{row.key}: cells {cells} mix store and chain outcomes")
        if row.key in out:
            raise ValueError(f"{row.key} has two rows")
        out[row.key] = row
    return out


def markdown() -> str:
    """The table as docs/SECURITY.md shows it."""
    head = "| operation | " + " | ".join(ROLES) + " |"
    rule = "|---|" + "---|" * len(ROLES)
    body = [
        f"| `{r.method} {r.path}` | " + " | ".join(r.cells[role] for role in ROLES) + " |"
        for r in rows().values()
    ]
    return "\n".join([BEGIN, head, rule, *body, END])


def documented(text: str) -> str:
    """The generated section as it stands in ``text`` (empty when missing)."""
    start, end = text.find(BEGIN), text.find(END)
    return "" if start < 0 or end < start else text[start : end + len(END)]


def write(path: Path = SECURITY_MD) -> bool:
    """Rewrite the section in docs/SECURITY.md; True when it changed."""
    text = path.read_text(encoding="utf-8")
    current = documented(text)
    if not current:
        raise SystemExit(f"{path}: no section between {BEGIN!r} and {END!r}")
    new = text.replace(current, markdown())
    path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    if "--write" in sys.argv[1:]:
        print("updated" if write() else "unchanged", SECURITY_MD)
    else:
        print(markdown())
