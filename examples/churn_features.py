"""Churn features from the four sources, read through their generated, checked client packages.

Every file is checked against its contract as it is read, so a renamed column or an unexpected
enum value stops the job here, with the reason, instead of skewing a model downstream. Fields
are read through the typed row models, so a field that a contract drops or renames breaks this
file at type-check time (mypy --strict), before it runs.

    python examples/churn_features.py DATA_FOLDER [YYYY-MM-DD]

DATA_FOLDER holds customers.parquet, usage.parquet, billing.parquet and support.parquet.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import billing_payments
import customer_master
import polars as pl
import support_tickets
import usage_activity


@dataclass(frozen=True, slots=True)
class ChurnFeatures:
    """One customer's features on a given day."""

    customer_id: str
    tenure_months: int
    month_to_month: bool
    senior_citizen: bool
    days_since_login: int | None
    sessions_30d: int
    monthly_charges: Decimal
    failed_payments: int
    open_tickets: int
    satisfaction: float | None


def latest_invoices(frame: pl.DataFrame) -> dict[str, billing_payments.BillingPayments]:
    """Each customer's most recent invoice."""
    latest = frame.sort("billing_period_end").unique("customer_id", keep="last")
    return {row.customer_id: row for row in billing_payments.to_models(latest)}


def latest_support(frame: pl.DataFrame) -> dict[str, support_tickets.SupportTickets]:
    """Each customer's most recent support summary."""
    latest = frame.sort("snapshot_date").unique("customer_id", keep="last")
    return {row.customer_id: row for row in support_tickets.to_models(latest)}


def recent_usage(frame: pl.DataFrame, today: dt.date) -> dict[str, tuple[dt.date, int]]:
    """Last login and sessions over the 30 days before `today`, per customer."""
    since = today - dt.timedelta(days=30)
    summary = (
        frame.filter(pl.col("activity_date") > since)
        .group_by("customer_id")
        .agg(pl.col("last_login_date").max(), pl.col("sessions").sum())
    )
    return {cid: (login, sessions) for cid, login, sessions in summary.iter_rows()}


def churn_features(folder: Path, today: dt.date) -> list[ChurnFeatures]:
    """Read the four sources (each checked on load) and join them per customer."""
    customers = customer_master.to_models(customer_master.read_parquet(folder / "customers.parquet"))
    usage = recent_usage(usage_activity.read_parquet(folder / "usage.parquet"), today)
    invoices = latest_invoices(billing_payments.read_parquet(folder / "billing.parquet"))
    support = latest_support(support_tickets.read_parquet(folder / "support.parquet"))
    features = []
    for customer in customers:
        if customer.account_status == "cancelled":
            continue
        login, sessions = usage.get(customer.customer_id, (None, 0))
        invoice = invoices.get(customer.customer_id)
        tickets = support.get(customer.customer_id)
        features.append(
            ChurnFeatures(
                customer_id=customer.customer_id,
                tenure_months=customer.tenure_months,
                month_to_month=customer.contract_type == "Month-to-Month",
                senior_citizen=customer.senior_citizen,
                days_since_login=None if login is None else (today - login).days,
                sessions_30d=sessions,
                monthly_charges=invoice.monthly_charges if invoice else Decimal("0.00"),
                failed_payments=invoice.failed_payments if invoice else 0,
                open_tickets=tickets.open_ticket_count if tickets else 0,
                satisfaction=tickets.satisfaction_score if tickets else None,
            )
        )
    return features


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print("usage: python examples/churn_features.py DATA_FOLDER [YYYY-MM-DD]", file=sys.stderr)
        return 2
    today = dt.date.fromisoformat(argv[2]) if len(argv) == 3 else dt.date.today()
    for row in churn_features(Path(argv[1]), today):
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
