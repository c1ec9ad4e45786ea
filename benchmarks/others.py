"""The benchmark's customers checks written for other validation libraries, check for check.

Each function imports its library, declares the schema once and returns a validator (so that
the timed part is the validation alone, as for the generated reader). A validator checks: a
unique, UUID-shaped key; three closed value sets; the tenure and charge ranges; the earliest
signup date; no nulls anywhere. It raises on failure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal

import polars as pl

UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
CONTRACT_TYPES = ["Month-to-Month", "One Year", "Two Year"]
PAYMENT_METHODS = ["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"]
REGIONS = ["North America", "Latin America", "EMEA", "APAC"]


Validator = Callable[[pl.DataFrame], object]


def pandera() -> Validator:
    import pandera.polars as pa

    class Customers(pa.DataFrameModel):
        customer_id: str = pa.Field(unique=True, str_matches=UUID)
        contract_type: str = pa.Field(isin=CONTRACT_TYPES)
        payment_method: str = pa.Field(isin=PAYMENT_METHODS)
        region: str = pa.Field(isin=REGIONS)
        tenure_months: pl.Int32 = pa.Field(ge=0, le=1200)
        monthly_charges: float = pa.Field(ge=0, le=10000)
        signup_date: dt.date = pa.Field(ge=dt.date(2000, 1, 1))
        senior_citizen: bool

    return lambda frame: Customers.validate(frame, lazy=True)


def patito() -> Validator:
    import patito as pt

    class Customers(pt.Model):
        customer_id: str = pt.Field(unique=True, pattern=UUID)
        contract_type: Literal["Month-to-Month", "One Year", "Two Year"]
        payment_method: Literal[
            "Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"
        ]
        region: Literal["North America", "Latin America", "EMEA", "APAC"]
        tenure_months: int = pt.Field(ge=0, le=1200, dtype=pl.Int32)
        monthly_charges: float = pt.Field(ge=0, le=10000)
        signup_date: dt.date = pt.Field(ge=dt.date(2000, 1, 1))
        senior_citizen: bool

    return Customers.validate


def dataframely() -> Validator:
    import dataframely as dy

    class Customers(dy.Schema):
        customer_id = dy.String(primary_key=True, regex=UUID)
        contract_type = dy.Enum(CONTRACT_TYPES)
        payment_method = dy.Enum(PAYMENT_METHODS)
        region = dy.Enum(REGIONS)
        tenure_months = dy.Int32(min=0, max=1200)
        monthly_charges = dy.Float64(min=0, max=10000)
        signup_date = dy.Date(min=dt.date(2000, 1, 1))
        senior_citizen = dy.Bool()

    return lambda frame: Customers.validate(frame, cast=True)


def handwritten() -> Validator:
    """What one writes by hand in Polars: the dtypes, then every check in one select."""
    dtypes = {
        "customer_id": pl.String,
        "tenure_months": pl.Int32,
        "monthly_charges": pl.Float64,
        "signup_date": pl.Date,
        "senior_citizen": pl.Boolean,
    }
    enums = {
        "contract_type": pl.Enum(CONTRACT_TYPES),
        "payment_method": pl.Enum(PAYMENT_METHODS),
        "region": pl.Enum(REGIONS),
    }
    key = pl.col("customer_id")

    def validate(frame: pl.DataFrame) -> pl.DataFrame:
        wrong = [name for name, dtype in dtypes.items() if frame.schema.get(name) != dtype]
        if wrong:
            raise ValueError(f"wrong dtypes: {wrong}")
        frame = frame.with_columns(pl.col(name).cast(dtype, strict=False) for name, dtype in enums.items())
        passed = frame.select(
            (pl.sum_horizontal(pl.all().null_count()) == 0).alias("nulls"),  # unknown enum values too
            key.str.contains(UUID).all().alias("pattern"),
            (key.n_unique() == pl.len()).alias("unique"),
            pl.col("tenure_months").is_between(0, 1200).all(),
            pl.col("monthly_charges").is_between(0, 10000).all(),
            (pl.col("signup_date") >= dt.date(2000, 1, 1)).all(),
        ).row(0)
        if not all(passed):
            raise ValueError(f"checks failed: {passed}")
        return frame

    return validate


LIBRARIES = {"pandera": pandera, "patito": patito, "dataframely": dataframely}
VALIDATORS = {"hand-written": handwritten, **LIBRARIES}
