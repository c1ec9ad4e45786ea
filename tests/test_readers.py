"""The generated readers, imported and used: each kind of violation planted in real files."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from decimal import Decimal
from pathlib import Path

import polars as pl
import pydantic
import pytest

from contractgen.codegen.tables import table
from contractgen.load import load_bytes
from contractgen.runtime import ContractViolationError, validate
from tests.test_differential import model_of

UTC = dt.UTC
IDS = [
    "6f1c2f9e-8a47-4c1b-9d0e-2b7f0c3a5e11",
    "0b9d7c54-31a2-4f6e-8c1d-5e3f2a1b0c99",
    "a3e5c7d9-1b2f-4a6c-8e0d-9f7b5d3c1a22",
    "d4c3b2a1-0f9e-4d8c-b7a6-5e4d3c2b1a00",
]


def usage_rows() -> pl.DataFrame:
    """Four valid rows of usage_activity, in the contract's column order."""
    return pl.DataFrame(
        {
            "customer_id": IDS,
            "activity_date": [dt.date(2024, 1, 15)] * 4,
            "last_login_date": [
                dt.date(2024, 1, 15),
                dt.date(2024, 1, 14),
                dt.date(2024, 1, 2),
                dt.date(2024, 1, 15),
            ],
            "sessions": pl.Series([3, 1, 0, 7], dtype=pl.Int32),
            "session_duration": [1800.0, 60.5, 0.0, 7200.0],
            "feature_usage_count": pl.Series([12, 0, 0, 40], dtype=pl.Int32),
            "page_views": pl.Series([30, 2, 0, 95], dtype=pl.Int32),
            "api_calls": pl.Series([None, 0, 0, 1200], dtype=pl.Int64),
            "primary_device": ["web", "ios", None, "api"],
            "features_used": [["reports", "export"], [], None, ["api"]],
            "loaded_at": [dt.datetime(2024, 1, 15, 23, tzinfo=UTC)] * 4,
        }
    )


def customer_rows() -> pl.DataFrame:
    """Four valid rows of customer_master."""
    n = 4
    return pl.DataFrame(
        {
            "customer_id": IDS,
            "signup_date": [
                dt.date(2020, 5, 1),
                dt.date(2021, 7, 9),
                dt.date(2019, 1, 31),
                dt.date(2023, 12, 1),
            ],
            "account_type": ["Consumer", "Enterprise", "Small Business", "Consumer"],
            "contract_type": ["Month-to-Month", "One Year", "Two Year", "Month-to-Month"],
            "region": ["EMEA", "APAC", "North America", "Latin America"],
            "country_code": ["DE", "JP", "US", "BR"],
            "email": ["a@example.com", None, "c@example.org", "d@example.net"],
            "senior_citizen": [False, False, True, False],
            "has_partner": [True, None, False, True],
            "has_dependents": [False, None, True, False],
            "tenure_months": pl.Series([44, 30, 60, 1], dtype=pl.Int32),
            "account_status": ["active", "active", "cancelled", "suspended"],
            "cancellation_date": [None, None, dt.date(2024, 1, 2), None],
            "sales_channel": ["web", "partner", None, "retail_store"],
            "created_at": [dt.datetime(2020, 5, 1, 9, tzinfo=UTC)] * n,
            "updated_at": [dt.datetime(2024, 1, 15, 8, tzinfo=UTC)] * n,
        }
    )


def write(frame: pl.DataFrame, path: Path) -> Path:
    if path.suffix == ".csv":
        frame.write_csv(path)
    else:
        frame.write_parquet(path)
    return path


def messages(exc: pytest.ExceptionInfo[Exception]) -> list[str]:
    return [v.render() for v in exc.value.violations]  # type: ignore[attr-defined]


def test_clean_file_loads_with_contract_dtypes(built, tmp_path):
    import customer_master

    path = write(customer_rows().select(reversed(customer_rows().columns)), tmp_path / "c.parquet")
    frame = customer_master.read_parquet(path)
    assert frame.columns == list(customer_master.SCHEMA.names())
    assert frame.schema == customer_master.SCHEMA
    assert frame.schema["contract_type"] == pl.Enum(["Month-to-Month", "One Year", "Two Year"])


def test_clean_csv_loads_with_contract_dtypes(built, tmp_path):
    import customer_master

    path = write(customer_rows(), tmp_path / "c.csv")
    frame = customer_master.read_csv(path)
    assert frame.schema == customer_master.SCHEMA
    assert frame.equals(customer_master.validate(customer_rows()))


def test_renamed_column_is_diagnosed(built, tmp_path):
    import usage_activity

    path = write(usage_rows().rename({"last_login_date": "last_activity_ts"}), tmp_path / "u.parquet")
    with pytest.raises(usage_activity.ContractViolationError) as exc:
        usage_activity.read_parquet(path)
    assert str(exc.value) == (
        f"{path} does not match contract usage_activity 1.5.2 (2 violations):\n"
        "  - missing column 'last_login_date'; the data has an unexpected column 'last_activity_ts' (Date) "
        "instead: probably 'last_login_date' was renamed to 'last_activity_ts' upstream. Ask the owner; "
        "if it was, the contract needs a new major version with 'renamed_from: last_login_date' on "
        "'last_activity_ts'\n"
        "  - unexpected column 'last_activity_ts' is not in the contract (probably the renamed "
        '\'last_login_date\'); pass unexpected="drop" or "keep" to accept extra columns'
    )


def plant(frame: pl.DataFrame, column: str, row: int, value: object) -> pl.DataFrame:
    values = frame[column].to_list()
    values[row] = value
    return frame.with_columns(pl.Series(column, values, dtype=frame.schema[column], strict=False))


CUSTOMER_VIOLATIONS = {
    "null in a required column": (
        lambda f: plant(f, "signup_date", 2, None),
        "'signup_date': 1 row null in a required column (row 2: None)",
    ),
    "value outside the enum": (
        lambda f: f.with_columns(pl.Series("contract_type", ["Monthly", "One Year", "Two Year", "monthly"])),
        "'contract_type': 2 rows not among the allowed values ['Month-to-Month', 'One Year', 'Two Year'] "
        "(row 0: 'Monthly', row 3: 'monthly')",
    ),
    "below the minimum": (
        lambda f: plant(f, "tenure_months", 1, -3),
        "'tenure_months': 1 row below the minimum 0 (row 1: -3)",
    ),
    "above the maximum": (
        lambda f: plant(f, "tenure_months", 3, 5000),
        "'tenure_months': 1 row above the maximum 1200 (row 3: 5000)",
    ),
    "date below the minimum": (
        lambda f: plant(f, "signup_date", 0, dt.date(1999, 12, 31)),
        "'signup_date': 1 row below the minimum 2005-01-01 (row 0: datetime.date(1999, 12, 31))",
    ),
    "pattern": (
        lambda f: plant(f, "country_code", 1, "jp"),
        "'country_code': 1 row not matching the pattern '^[A-Z]{2}$' (row 1: 'jp')",
    ),
    "format": (
        lambda f: plant(f, "customer_id", 3, "not-a-uuid"),
        "'customer_id': 1 row not a valid uuid (row 3: 'not-a-uuid')",
    ),
    "duplicate primary key": (
        lambda f: plant(f, "customer_id", 1, IDS[0]),
        f"'customer_id': 2 rows share a value with another row (the column must be unique) "
        f"(row 0: '{IDS[0]}', row 1: '{IDS[0]}')",
    ),
    "wrong dtype": (
        lambda f: f.with_columns(pl.col("tenure_months").cast(pl.Float64)),
        "column 'tenure_months' has dtype Float64, the contract says Int32",
    ),
    "missing column": (
        lambda f: f.drop("region"),
        "missing column 'region'",
    ),
    "unexpected column": (
        lambda f: f.with_columns(pl.lit(1).alias("churn_score")),
        'unexpected column \'churn_score\' is not in the contract; pass unexpected="drop" or "keep" '
        "to accept extra columns",
    ),
}


def on_lines(message: str) -> str:
    """A CSV reader's message also names the file line of each sample row (the header is line 1)."""
    head, sep, samples = message.partition(" (row ")
    if not sep:
        return message
    lines = [int(row) + 2 for row in re.findall(r"(?:^|row )(\d+): ", samples)]
    where = f"line{'s' * (len(lines) != 1)} " + ", ".join(map(str, lines))
    return f"{head} on {where}{sep}{samples}"


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
@pytest.mark.parametrize("case", list(CUSTOMER_VIOLATIONS), ids=list(CUSTOMER_VIOLATIONS))
def test_each_violation_is_caught_exactly(built, tmp_path, case, suffix):
    import customer_master

    mutate, expected = CUSTOMER_VIOLATIONS[case]
    path = write(mutate(customer_rows()), tmp_path / f"c{suffix}")
    reader = customer_master.read_csv if suffix == ".csv" else customer_master.read_parquet
    if case == "wrong dtype" and suffix == ".csv":
        # Text has no dtype: 44.0 is not an int32, and the reader says so per row.
        expected = (
            "'tenure_months': 4 rows not readable as Int32: expected an integer (digits, optional sign) "
            "(row 0: '44.0', row 1: '30.0', row 2: '60.0', row 3: '1.0')"
        )
    if suffix == ".csv":
        expected = on_lines(expected)
    with pytest.raises(customer_master.ContractViolationError) as exc:
        reader(path)
    assert messages(exc) == [expected]
    assert str(exc.value).startswith(f"{path} does not match contract customer_master 2.1.0 (1 violation):")


@pytest.mark.parametrize("case", list(CUSTOMER_VIOLATIONS), ids=list(CUSTOMER_VIOLATIONS))
def test_streaming_check_finds_the_same_rows(built, tmp_path, case):
    """scan_parquet settles some checks from row-group statistics and streams the rest; either
    way each violation is reported exactly as the in-memory reader reports it."""
    import customer_master

    mutate, expected = CUSTOMER_VIOLATIONS[case]
    path = write(mutate(customer_rows()), tmp_path / "c.parquet")
    with pytest.raises(customer_master.ContractViolationError) as exc:
        customer_master.scan_parquet(path)
    assert messages(exc) == [expected]


def test_statistics_settle_checks_across_row_groups(built, tmp_path):
    """Row groups with clean statistics are skipped; the one with the violations is counted."""
    import customer_master

    clean = pl.concat([customer_rows()] * 50).with_columns(
        pl.format(
            "{}-0000-4000-8000-000000000000", pl.int_range(pl.len()).cast(pl.String).str.zfill(8)
        ).alias("customer_id")
    )
    bad = plant(plant(clean, "tenure_months", 150, -1), "signup_date", 190, None)
    path = tmp_path / "groups.parquet"
    bad.write_parquet(path, row_group_size=20, statistics=True)
    with pytest.raises(customer_master.ContractViolationError) as exc:
        customer_master.scan_parquet(path)
    assert messages(exc) == [
        "'signup_date': 1 row null in a required column (row 190: None)",
        "'tenure_months': 1 row below the minimum 0 (row 150: -1)",
    ]
    clean.write_parquet(path, row_group_size=20, statistics=True)
    assert customer_master.scan_parquet(path).collect().height == 200


@pytest.mark.parametrize("case", list(CUSTOMER_VIOLATIONS), ids=list(CUSTOMER_VIOLATIONS))
def test_a_frame_checked_in_slices_finds_the_same_rows(built, monkeypatch, case):
    """Large frames are checked one slice per thread; a violation in any slice is found exactly."""
    import customer_master

    from contractgen.runtime import check

    monkeypatch.setattr(check, "_SPLIT_ROWS", 2)
    monkeypatch.setattr(pl, "thread_pool_size", lambda: 3)  # slices of 2, 2 and 0 rows
    mutate, expected = CUSTOMER_VIOLATIONS[case]
    with pytest.raises(customer_master.ContractViolationError) as exc:
        customer_master.validate(mutate(customer_rows()))
    assert messages(exc) == [expected]


def test_every_violation_is_listed_at_once(built, tmp_path):
    import customer_master

    frame = plant(plant(customer_rows(), "signup_date", 2, None), "tenure_months", 1, -3).drop("region")
    with pytest.raises(customer_master.ContractViolationError) as exc:
        customer_master.validate(frame)
    assert [v.kind for v in exc.value.violations] == ["missing_column", "null", "minimum"]


def test_composite_primary_key(built):
    import usage_activity

    frame = plant(usage_rows(), "customer_id", 1, IDS[0])
    with pytest.raises(usage_activity.ContractViolationError) as exc:
        usage_activity.validate(frame)
    assert messages(exc) == [
        "primary key (customer_id, activity_date): 2 rows share a key with another row "
        f"(row 0: ('{IDS[0]}', datetime.date(2024, 1, 15)), "
        f"row 1: ('{IDS[0]}', datetime.date(2024, 1, 15)))"
    ]


def test_unexpected_column_policies(built):
    import customer_master

    frame = customer_rows().with_columns(pl.lit(1).alias("extra"))
    assert customer_master.validate(frame, unexpected="drop").columns == list(customer_master.SCHEMA.names())
    assert customer_master.validate(frame, unexpected="keep").columns[-1] == "extra"


def test_lossless_widening_is_accepted_and_truncation_is_not(built):
    import customer_master

    narrower = customer_rows().with_columns(pl.col("tenure_months").cast(pl.Int16))
    assert customer_master.validate(narrower).schema["tenure_months"] == pl.Int32
    wider = customer_rows().with_columns(pl.col("tenure_months").cast(pl.Int64))
    with pytest.raises(customer_master.ContractViolationError):
        customer_master.validate(wider)
    finer = customer_rows().with_columns(pl.col("updated_at").cast(pl.Datetime("ns", "UTC")))
    with pytest.raises(customer_master.ContractViolationError, match="'updated_at' has dtype"):
        customer_master.validate(finer)


def test_nan_is_outside_any_range(built):
    import usage_activity

    frame = plant(usage_rows(), "session_duration", 0, float("nan"))
    with pytest.raises(usage_activity.ContractViolationError) as exc:
        usage_activity.validate(frame)
    assert messages(exc) == ["'session_duration': 1 row NaN, which no range admits (row 0: nan)"]


def test_scan_parquet_checks_in_streaming_mode(built, tmp_path):
    import usage_activity

    path = write(usage_rows(), tmp_path / "u.parquet")
    lazy = usage_activity.scan_parquet(path)
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect().schema == usage_activity.SCHEMA
    bad = write(plant(usage_rows(), "sessions", 2, -1), tmp_path / "bad.parquet")
    with pytest.raises(usage_activity.ContractViolationError, match="'sessions': 1 row below the minimum 0"):
        usage_activity.scan_parquet(bad)


def test_rows_become_models(built):
    import billing_payments

    frame = pl.DataFrame(
        {
            "invoice_id": ["INV-0000000001"],
            "customer_id": [IDS[0]],
            "billing_period_start": [dt.date(2024, 1, 1)],
            "billing_period_end": [dt.date(2024, 1, 31)],
            "monthly_charges": pl.Series([Decimal("70.35")], dtype=pl.Decimal(10, 2)),
            "total_charges": pl.Series([Decimal("1397.47")], dtype=pl.Decimal(12, 2)),
            "currency": ["USD"],
            "payment_method": ["Electronic check"],
            "paperless_billing": [True],
            "payment_status": ["paid"],
            "failed_payments": pl.Series([0], dtype=pl.Int16),
            "account_balance": pl.Series([Decimal("-5.00")], dtype=pl.Decimal(12, 2)),
            "due_date": [dt.date(2024, 2, 15)],
            "paid_at": [dt.datetime(2024, 2, 14, 10, tzinfo=UTC)],
            "card_last4": [None],
        }
    )
    (row,) = billing_payments.to_models(frame)
    assert isinstance(row, billing_payments.BillingPayments)
    # Built without a second validation, and exactly what validation would have built.
    (validated,) = [billing_payments.BillingPayments.model_validate(r) for r in frame.to_dicts()]
    assert row == validated and row.model_fields_set == validated.model_fields_set
    assert row.model_dump() == validated.model_dump()
    assert row.monthly_charges == Decimal("70.35")
    assert row.payment_method == "Electronic check"


def test_old_name_from_renamed_from_is_read_under_the_new_one(tmp_path):
    from contractgen.codegen.tables import table
    from contractgen.load import load_bytes
    from contractgen.runtime import RenamedColumnWarning, validate

    contract, _ = load_bytes(
        b"data_source: u\nversion: 2.0.0\nschema:\n  last_activity_ts:\n    type: date\n"
        b"    renamed_from: last_login_date\n",
        "u.yaml",
    )
    frame = pl.DataFrame({"last_login_date": [dt.date(2024, 1, 1)]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = validate(frame, table(contract))
    assert out.columns == ["last_activity_ts"]
    assert [w.category for w in caught] == [RenamedColumnWarning]


def test_unreadable_files_name_the_file(built, tmp_path):
    import customer_master

    from contractgen.runtime import DataReadError

    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(DataReadError, match=f"cannot read {corrupt} as Parquet"):
        customer_master.read_parquet(corrupt)
    with pytest.raises(DataReadError, match="no such file"):
        customer_master.read_parquet(tmp_path / "missing.parquet")


def test_generated_table_matches_the_contract(built):
    """The table spelled out in frame.py is the one `contractgen validate` builds at run time."""
    import importlib

    from contractgen.codegen.tables import table
    from contractgen.load import load_file
    from tests.conftest import CONTRACTS

    for path in sorted(CONTRACTS.glob("*.yaml")):
        contract = load_file(path)
        module = importlib.import_module(contract.data_source)
        assert table(contract) == module.TABLE


def test_nested_values_are_cast_and_checked():
    from contractgen.codegen.tables import table
    from contractgen.load import load_file
    from contractgen.runtime import ContractViolationError, validate
    from tests.test_golden import GOLDEN

    spec = table(load_file(GOLDEN / "all_types" / "contracts" / "shipments.yaml"))
    events = pl.Series(
        "events",
        [[{"at": dt.datetime(2024, 1, 1, tzinfo=UTC), "status": "picked_up"}], None],
        dtype=pl.List(pl.Struct({"at": pl.Datetime("us", "UTC"), "status": pl.String()})),
    )
    frame = pl.DataFrame(
        {name: pl.Series(name, [None, None], dtype=dtype) for name, dtype in spec.schema.items()}
    )
    frame = frame.with_columns(
        events,
        pl.Series("shipment_id", IDS[:2]),
        pl.Series("tracking_code", ["ABCDEFGH1", "ABCDEFGH2"]),
        pl.Series("parcels", [1, 2], dtype=pl.UInt8),
        pl.Series("ship_date", [dt.date(2024, 1, 1)] * 2),
        pl.Series("service_level", ["express", "standard"]),
    )
    assert validate(frame, spec).schema["events"] == spec.schema["events"]
    bad = frame.with_columns(
        pl.Series("events", [[{"at": None, "status": "lost"}], None], dtype=events.dtype)
    )
    with pytest.raises(ContractViolationError) as exc:
        validate(bad, spec)
    assert [v.render() for v in exc.value.violations] == [
        "'events': 1 row with nested values that do not fit "
        "List(Struct({'at': Datetime(time_unit='us', time_zone='UTC'), "
        "'status': Enum(categories=['picked_up', 'in_transit', 'delivered'])})) "
        "(row 0: [{'at': None, 'status': 'lost'}])"
    ]


def test_parquet_directory_or_list_with_differing_dtypes_names_the_file(tmp_path):
    """A directory (or list) whose files differ in dtype is a DataReadError naming the file,
    not polars' SchemaError at collect(); a list reads like a glob."""
    import polars as pl

    from contractgen.runtime import Column, DataReadError, Table, read_parquet, scan_parquet

    table = Table("t", "1.0.0", pl.Schema({"n": pl.Int64()}), (Column("n"),))
    folder = tmp_path / "parts"
    folder.mkdir()
    pl.DataFrame({"n": [1]}).write_parquet(folder / "a.parquet")
    pl.DataFrame({"n": [2]}).write_parquet(folder / "b.parquet")
    files = sorted(folder.iterdir())
    assert read_parquet(files, table)["n"].to_list() == [1, 2]
    assert scan_parquet(folder, table).collect()["n"].to_list() == [1, 2]
    pl.DataFrame({"n": ["x"]}).write_parquet(folder / "c.parquet")
    for source in (folder, sorted(folder.iterdir())):
        with pytest.raises(DataReadError, match=r"c\.parquet has column 'n' as String"):
            scan_parquet(source, table)
    with pytest.raises(DataReadError, match=r"c\.parquet has column 'n' as String"):
        read_parquet(sorted(folder.iterdir()), table)


def test_read_csv_reads_a_text_file_object(tmp_path):
    import io

    import polars as pl

    from contractgen.runtime import Column, Table, read_csv

    table = Table("t", "1.0.0", pl.Schema({"s": pl.String()}), (Column("s"),))
    assert read_csv(io.StringIO("s\ncafé\n"), table)["s"].to_list() == ["café"]
    assert read_csv(io.BytesIO(b"s\nx\n"), table)["s"].to_list() == ["x"]
    with pytest.raises(TypeError, match="one source"):
        read_csv([tmp_path / "a.csv"], table)  # type: ignore[arg-type]


def test_list_items_are_checked_by_the_readers_and_the_models():
    """Each item of a list keeps the items' checks, in the frame and in the row models."""
    text = (
        "data_source: diff_lists\nversion: 1.0.0\nschema:\n"
        "  li:\n    type: list\n    items: {type: int32, minimum: 0, required: true}\n"
        "  ls:\n    type: list\n    items: {type: string, pattern: '^[a-z]+$', max_length: 2}\n"
    )
    contract, diagnostics = load_bytes(text.encode(), "lists.yaml")
    assert contract is not None and diagnostics == [], [d.render() for d in diagnostics]
    spec = table(contract)
    bad = pl.DataFrame({"li": [[-5, None], [1]], "ls": [["ABCDEF"], ["ab", None]]}, schema=spec.schema)
    with pytest.raises(ContractViolationError) as caught:
        validate(bad, spec)
    assert [v.message for v in caught.value.violations] == [
        "'li': 1 row with a null item",
        "'li': 1 row with an item below the minimum 0",
        "'ls': 1 row with an item longer than 2",
        "'ls': 1 row with an item not matching the pattern '^[a-z]+$'",
    ]
    good = pl.DataFrame({"li": [[0, 3], None], "ls": [["ab", None], []]}, schema=spec.schema)
    assert validate(good, spec).equals(good)
    model = model_of(contract)
    for row in ({"li": [-5], "ls": None}, {"li": [None], "ls": None}, {"li": None, "ls": ["ABCDEF"]}):
        with pytest.raises(pydantic.ValidationError):
            model.model_validate(row)
    model.model_validate({"li": [0], "ls": ["ab", None]})
