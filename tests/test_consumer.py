"""The point of typed clients: a consumer that type-checks, and a removed field caught by mypy."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import polars as pl

from tests.conftest import CONTRACTS, ROOT, run_cli
from tests.test_readers import IDS, UTC, customer_rows, usage_rows

EXAMPLE = ROOT / "examples" / "churn_features.py"


def mypy(example: Path, generated: Path) -> subprocess.CompletedProcess[str]:
    paths = os.pathsep.join(str(p) for p in sorted(generated.iterdir()) if p.is_dir())
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir=/dev/null",
            str(example.relative_to(ROOT)),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "MYPYPATH": paths},
        cwd=ROOT,
    )


def test_example_consumer_type_checks():
    result = mypy(EXAMPLE, ROOT / "generated")
    assert result.returncode == 0, result.stdout


def billing_rows() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "invoice_id": ["INV-0000000001", "INV-0000000002"],
            "customer_id": IDS[:2],
            "billing_period_start": [dt.date(2024, 1, 1)] * 2,
            "billing_period_end": [dt.date(2024, 1, 31)] * 2,
            "monthly_charges": pl.Series([Decimal("70.35"), Decimal("19.90")], dtype=pl.Decimal(10, 2)),
            "total_charges": pl.Series([Decimal("1397.47"), Decimal("597.00")], dtype=pl.Decimal(12, 2)),
            "currency": ["USD", "EUR"],
            "payment_method": ["Electronic check", "Credit card (automatic)"],
            "paperless_billing": [True, False],
            "payment_status": ["failed", "paid"],
            "failed_payments": pl.Series([2, 0], dtype=pl.Int16),
            "account_balance": pl.Series([Decimal("70.35"), Decimal("0.00")], dtype=pl.Decimal(12, 2)),
            "due_date": [dt.date(2024, 2, 15)] * 2,
            "paid_at": pl.Series(
                [None, dt.datetime(2024, 2, 14, tzinfo=UTC)], dtype=pl.Datetime("us", "UTC")
            ),
            "card_last4": [None, "4242"],
        }
    )


def support_rows() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "customer_id": IDS[:1],
            "snapshot_date": [dt.date(2024, 1, 15)],
            "ticket_count": pl.Series([3], dtype=pl.Int32),
            "open_ticket_count": pl.Series([1], dtype=pl.Int32),
            "escalation_count": pl.Series([1], dtype=pl.Int32),
            "avg_resolution_time": [20.5],
            "satisfaction_score": [2.0],
            "last_ticket_at": [dt.datetime(2024, 1, 14, 9, tzinfo=UTC)],
            "top_issue_category": ["billing"],
            "preferred_channel": ["chat"],
        }
    )


def test_example_consumer_runs(tmp_path):
    customer_rows().write_parquet(tmp_path / "customers.parquet")
    usage_rows().write_parquet(tmp_path / "usage.parquet")
    billing_rows().write_parquet(tmp_path / "billing.parquet")
    support_rows().write_parquet(tmp_path / "support.parquet")
    paths = os.pathsep.join(str(p) for p in sorted((ROOT / "generated").iterdir()) if p.is_dir())
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), str(tmp_path), "2024-01-20"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": paths},
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 3  # the cancelled customer is left out
    assert lines[0] == (
        f"ChurnFeatures(customer_id='{IDS[0]}', tenure_months=44, month_to_month=True, senior_citizen=False, "
        "days_since_login=5, sessions_30d=3, monthly_charges=Decimal('70.35'), failed_payments=2, open_tickets=1, "
        "satisfaction=2.0)"
    )


def test_removing_a_field_breaks_the_consumer_at_type_check_time(tmp_path):
    shutil.copytree(CONTRACTS, tmp_path / "contracts")
    contract = tmp_path / "contracts" / "customer_master.yaml"
    text = contract.read_text()
    # 1. Deprecate, with the notice the change policy asks for (90 days).
    deprecated = text.replace("version: 2.1.0", "version: 2.2.0").replace(
        "  tenure_months:\n",
        "  tenure_months:\n    deprecated: {reason: derive it from signup_date, sunset: 2027-03-01}\n",
    )
    contract.write_text(deprecated)
    step = run_cli("build", cwd=tmp_path, env={"CONTRACTGEN_TODAY": "2026-11-26"})
    assert step.returncode == 0, step.stderr
    # 2. Remove after the sunset, with a major version.
    start = deprecated.index("  tenure_months:\n")
    end = deprecated.index("  account_status:\n")
    contract.write_text(deprecated[:start].replace("version: 2.2.0", "version: 3.0.0") + deprecated[end:])
    step = run_cli("build", cwd=tmp_path, env={"CONTRACTGEN_TODAY": "2027-03-02"})
    assert step.returncode == 0, step.stderr
    result = mypy(EXAMPLE, tmp_path / "generated")
    assert result.returncode == 1
    line = EXAMPLE.read_text().splitlines().index("                tenure_months=customer.tenure_months,") + 1
    assert result.stdout.splitlines()[0] == (
        f'examples/churn_features.py:{line}: error: "CustomerMaster" has no attribute "tenure_months"  [attr-defined]'
    )
