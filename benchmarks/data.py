"""Deterministic data for the reader benchmarks, shaped by benchmarks/contracts/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

CONTRACT_TYPES = ["Month-to-Month", "One Year", "Two Year"]
PAYMENT_METHODS = ["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"]
REGIONS = ["North America", "Latin America", "EMEA", "APAC"]
EVENT_TYPES = ["login", "logout", "page_view", "feature_use", "api_call", "export", "error"]


def uuids(rows: pl.Expr, seed: int) -> pl.Expr:
    """Distinct, well-formed UUID strings derived from row numbers, without a Python loop."""
    digits = rows.hash(seed).cast(pl.String).str.zfill(20)
    tail = rows.cast(pl.String).str.zfill(12)
    parts = [digits.str.slice(0, 8), digits.str.slice(8, 4), "4" + digits.str.slice(12, 3)]
    parts += ["8" + digits.str.slice(15, 3), tail]
    return pl.concat_str(parts, separator="-")


def customers(n: int, seed: int = 1) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.select(
        uuids(pl.int_range(n, dtype=pl.UInt64), seed).alias("customer_id"),
        pl.Series(rng.choice(CONTRACT_TYPES, n)).alias("contract_type"),
        pl.Series(rng.choice(PAYMENT_METHODS, n)).alias("payment_method"),
        pl.Series(rng.choice(REGIONS, n)).alias("region"),
        pl.Series(rng.integers(0, 240, n), dtype=pl.Int32).alias("tenure_months"),
        pl.Series(np.round(rng.random(n) * 150, 2)).alias("monthly_charges"),
        (pl.lit(dt.date(2006, 1, 1)) + pl.duration(days=pl.Series(rng.integers(0, 7000, n))))
        .cast(pl.Date)
        .alias("signup_date"),
        pl.Series(rng.random(n) < 0.16).alias("senior_citizen"),
    )


def usage_events(n: int, customers_n: int, seed: int = 2) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    return pl.select(
        uuids(pl.Series(rng.integers(0, customers_n, n), dtype=pl.UInt64), 1).alias("customer_id"),
        (pl.lit(start) + pl.duration(seconds=pl.Series(rng.integers(0, 31_536_000, n))))
        .cast(pl.Datetime("us", "UTC"))
        .alias("event_ts"),
        pl.Series(rng.choice(EVENT_TYPES, n)).alias("event_type"),
        pl.Series(rng.random(n) * 7200).alias("session_duration"),
        pl.Series(rng.integers(0, 200, n), dtype=pl.Int32).alias("feature_usage_count"),
    )


def write_usage(folder: Path, rows: int, customers_n: int, chunk: int = 10_000_000) -> Path:
    """Usage events as Parquet files of at most `chunk` rows, so that 150M rows fit in memory."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, first in enumerate(range(0, rows, chunk)):
        part = usage_events(min(chunk, rows - first), customers_n, seed=2 + index)
        part.write_parquet(folder / f"part-{index:04d}.parquet")
    return folder
