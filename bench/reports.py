"""Reports on a year of generated sales in PostgreSQL: aggregates against raw tables.

Generates ``--lines`` sale lines (default 5,000,000; 4 per sale, 50 stores, 500 products,
one year, skewed product popularity, shop hours 08–22 local) server-side with
generate_series, rebuilds the aggregates with the same code the scheduled job uses, then
times, in the same run and on the same data:

* one store's daily report for a month (target ≤ 200 ms), and
* the chain-wide monthly top 50 products (target ≤ 1 s),

each through ``cloud.reports.service`` (aggregate tables) and as the equivalent query over
the raw ``sales``/``sale_lines`` tables, checks both give the same figures, and prints the
medians and the ratio raw/aggregate.

It also backtests the demand forecast on generated daily demand (weekly seasonality,
slow drift, Poisson noise) against seasonal-naive on the same series and origins.

    .venv/bin/python -m bench.reports [--lines N] [--stores S] [--repeat R] [--url URL]
    .venv/bin/python -m bench.reports --forecast-only
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.models import load_models
from cloud.db.session import make_engine, make_sessionmaker
from cloud.reports import aggregates, service
from tests.support.services import postgres_database

YEAR = 2025
TZ = "Asia/Shanghai"
LINES_PER_SALE = 4

GENERATE = [
    "INSERT INTO tax_classes (code, name, rate) VALUES ('std', 'Standard', 0.13)",
    """INSERT INTO categories (id, code, name)
       SELECT g, 'cat-' || g, 'Category ' || g FROM generate_series(1, 20) g""",
    """INSERT INTO stores (id, code, name, address, contact_name, contact_phone, contact_email,
                          hours, timezone, currency, tax_inclusive, payment_methods,
                          pricebook_version, active)
       SELECT g, 's' || lpad(g::text, 3, '0'), 'Store ' || g, '', '', '', '', '{}', :tz,
              'CNY', true, '["cash","card"]', 0, true
       FROM generate_series(1, :stores) g""",
    """INSERT INTO products (id, sku, name, category_id, price, cost, tax_class, weighed, active)
       SELECT g, 'SKU-' || g, 'Product ' || g, 1 + g % 20, 1 + (g % 97) + 0.5,
              round((1 + (g % 97) + 0.5) * 0.6, 2), 'std', false, true
       FROM generate_series(1, :products) g""",
    """INSERT INTO product_barcodes (id, product_id, gtin)
       SELECT g, g, lpad((2000000000000 + g)::text, 14, '0')
       FROM generate_series(1, :products) g""",
    # Lines first (the header sums come from them); FK checks are off for the load.
    "SET session_replication_role = replica",
    """INSERT INTO sale_lines (id, sale_pk, line_no, product_id, gtin, name, qty, unit_price,
                              amount, discount)
       SELECT (s - 1) * 4 + ln, s, ln, p.id, lpad((2000000000000 + p.id)::text, 14, '0'),
              'Product ' || p.id, q.qty, p.price, p.price * q.qty,
              CASE WHEN (s + ln) % 10 = 0 THEN round(p.price * q.qty * 0.1, 2) ELSE 0 END
       FROM generate_series(1, :sales) s
       CROSS JOIN generate_series(1, 4) ln
       CROSS JOIN LATERAL (SELECT 1 + floor(:products * random() ^ 2)::int + 0 * s AS id) pick
       JOIN products p ON p.id = pick.id
       CROSS JOIN LATERAL (SELECT 1 + floor(random() * 3)::int + 0 * s AS qty) q""",
    """INSERT INTO sales (id, sale_id, store_id, node, event_id, completed_at, currency,
                         subtotal, discount_total, tax_total, total, change, tax_inclusive,
                         points_earned, note, received_at)
       SELECT l.sale_pk, 'S' || l.sale_pk, 1 + l.sale_pk % :stores, 'kiosk-' || (1 + l.sale_pk % 3),
              md5(l.sale_pk::text), t.at, 'CNY', l.sub, l.disc,
              round((l.sub - l.disc) * 0.13 / 1.13, 2), l.sub - l.disc, 0, true, 0, '', t.at
       FROM (SELECT sale_pk, sum(amount) sub, sum(discount) disc FROM sale_lines
             GROUP BY sale_pk) l
       CROSS JOIN LATERAL (
         SELECT (make_date(:year, 1, 1) + floor(random() * 365)::int + 0 * l.sale_pk
                 + make_interval(secs => 8 * 3600 + random() * 14 * 3600))::timestamp
                AT TIME ZONE :tz AS at) t""",
    "SET session_replication_role = DEFAULT",
    "ANALYZE",
]

RAW_DAILY = """
SELECT (s.completed_at AT TIME ZONE st.timezone)::date AS day, count(*), sum(l.n), sum(l.units),
       sum(s.subtotal), sum(s.discount_total), sum(s.tax_total), sum(s.total)
FROM sales s JOIN stores st ON st.id = s.store_id
LEFT JOIN LATERAL (SELECT count(*) AS n, sum(qty) AS units FROM sale_lines
                   WHERE sale_pk = s.id) l ON true
WHERE s.store_id = :store AND s.completed_at >= :start AND s.completed_at < :end
GROUP BY 1 ORDER BY 1
"""

RAW_TOP = """
SELECT l.gtin, sum(l.qty), count(*), sum(l.amount), sum(l.discount),
       sum(l.amount) - sum(l.discount) AS net
FROM sale_lines l JOIN sales s ON s.id = l.sale_pk JOIN stores st ON st.id = s.store_id
WHERE s.completed_at >= :start AND s.completed_at < :end
  AND (s.completed_at AT TIME ZONE st.timezone)::date BETWEEN :first AND :last
GROUP BY l.gtin ORDER BY net DESC, l.gtin LIMIT 50
"""


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time in ms (after one warm-up call) and the last result."""
    result = fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), result


@contextmanager
def database(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    with postgres_database("smartstore_bench_reports") as fresh:
        yield fresh


def generate(session: Session, lines: int, stores: int, products: int) -> None:
    params = {
        "tz": TZ,
        "stores": stores,
        "products": products,
        "sales": lines // LINES_PER_SALE,
        "year": YEAR,
    }
    session.execute(text("SELECT setseed(0.42)"))
    for sql in GENERATE:
        session.execute(text(sql), params)


def forecast_bench(n_series: int = 200, days: int = 126, seed: int = 7) -> None:
    """WAPE of the forecast and of seasonal-naive, rolling origin, 8 × 7-day horizons."""
    import numpy as np

    from cloud.forecast.model import SEASON, backtest

    rng = np.random.default_rng(seed)
    weekly = np.array([0.7, 0.8, 0.9, 1.0, 1.2, 1.6, 1.3])
    series = []
    for _ in range(n_series):
        t = np.arange(days)
        lam = rng.uniform(1.5, 40) * weekly[t % SEASON] * (1 + 0.3 * np.sin(t / 60))
        series.append(rng.poisson(lam).astype(float))
    t0 = time.perf_counter()
    result = backtest(series, horizon=7, origins=8)
    took = time.perf_counter() - t0
    print(
        f"forecast backtest: {n_series} series x {days} days, {result.origins} forecasts "
        f"in {took:.1f} s: WAPE {result.wape:.3f}, seasonal-naive {result.baseline_wape:.3f}, "
        f"ratio naive/model {result.baseline_wape / result.wape:.2f}x "
        f"[{'beats' if result.beats_baseline else 'DOES NOT beat'} baseline]"
    )


def load(engine: Engine, factory: sessionmaker[Session], args: argparse.Namespace) -> None:
    """Fresh schema, generated sales and rebuilt aggregates; prints sizes and load times."""
    load_models().drop_all(engine)
    load_models().create_all(engine)
    t0 = time.perf_counter()
    with factory() as s, s.begin():
        generate(s, args.lines, args.stores, args.products)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    with factory() as s, s.begin():
        n_sales = aggregates.rebuild(s)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        counts = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in (
                "sale_lines",
                "sales",
                "agg_sales_hourly",
                "agg_product_daily",
                "agg_product_monthly",
            )
        }
    t_agg = time.perf_counter() - t0
    print(
        f"generated {counts} in {t_gen:.1f} s; aggregates rebuilt ({n_sales} sales) "
        f"in {t_agg:.1f} s"
    )


def compare(factory: sessionmaker[Session], repeat: int) -> None:
    """Times June's reports on aggregates and on raw tables, checks they agree, prints both."""
    first, last = date(YEAR, 6, 1), date(YEAR, 6, 30)
    zone = ZoneInfo(TZ)
    start = datetime.combine(first, dtime.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), dtime.min, tzinfo=zone).astimezone(UTC)
    store = 7
    with factory() as s:
        agg_ms, daily = timed(lambda: service.sales_report(s, [store], "day", first, last), repeat)
        raw_ms, raw_daily = timed(
            lambda: s.execute(text(RAW_DAILY), {"store": store, "start": start, "end": end}).all(),
            repeat,
        )
        assert [(r[0], r[1], Decimal(r[7])) for r in raw_daily] == [
            (row[0], row[1], row[7]) for row in daily.rows
        ], "aggregate and raw daily reports differ"
        top_ms, top = timed(lambda: service.product_report(s, None, first, last, limit=50), repeat)
        raw_top_ms, raw_top = timed(
            lambda: s.execute(
                text(RAW_TOP), {"start": start, "end": end, "first": first, "last": last}
            ).all(),
            max(3, repeat // 3),
        )
        assert [(r[0], Decimal(r[5])) for r in raw_top] == [(row[0], row[8]) for row in top.rows], (
            "aggregate and raw top-50 differ"
        )

    print(
        f"store daily report, one month ({len(daily.rows)} days): aggregate "
        f"{agg_ms:.2f} ms, raw {raw_ms:.2f} ms, ratio raw/aggregate {raw_ms / agg_ms:.1f}x "
        f"[target <= 200 ms: {'pass' if agg_ms <= 200 else 'FAIL'}]"
    )
    print(
        f"chain-wide monthly top 50: aggregate {top_ms:.2f} ms, raw {raw_top_ms:.2f} ms, "
        f"ratio raw/aggregate {raw_top_ms / top_ms:.1f}x "
        f"[target <= 1000 ms: {'pass' if top_ms <= 1000 else 'FAIL'}]"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=5_000_000, help="sale lines to generate")
    ap.add_argument("--stores", type=int, default=50)
    ap.add_argument("--products", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=15, help="timed runs per query")
    ap.add_argument("--url", default=None, help="existing PostgreSQL database (emptied!)")
    ap.add_argument("--forecast-only", action="store_true", help="skip the database part")
    args = ap.parse_args()
    forecast_bench()
    if args.forecast_only:
        return

    with database(args.url) as url:
        engine = make_engine(url)
        factory = make_sessionmaker(engine)
        load(engine, factory, args)
        compare(factory, args.repeat)
        engine.dispose()


if __name__ == "__main__":
    main()
