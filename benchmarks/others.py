"""The benchmark's customers checks written for other validation libraries, check for check.

Each function validates a frame with: a unique, UUID-shaped key; three closed value sets; the
tenure and charge ranges; the earliest signup date; no nulls anywhere. Each raises on failure.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import polars as pl

UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
CONTRACT_TYPES = ["Month-to-Month", "One Year", "Two Year"]
PAYMENT_METHODS = ["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"]
REGIONS = ["North America", "Latin America", "EMEA", "APAC"]


def pandera(frame: pl.DataFrame) -> pl.DataFrame:
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

    return Customers.validate(frame, lazy=True)  # type: ignore[return-value]


def patito(frame: pl.DataFrame) -> pl.DataFrame:
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

    Customers.validate(frame)
    return frame


def dataframely(frame: pl.DataFrame) -> pl.DataFrame:
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

    return Customers.validate(frame, cast=True)  # type: ignore[no-any-return]


LIBRARIES = {"pandera": pandera, "patito": patito, "dataframely": dataframely}
