"""`contractgen sources check` against real databases: DuckDB, SQLite and a PostgreSQL server
started for the session. No mocks: each case writes rows into the database and checks them."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from contractgen.codegen.tables import table
from contractgen.load import load_bytes
from contractgen.runtime import ContractViolationError, validate
from contractgen.sources import health
from contractgen.sources.config import ConfigError, parse_config
from tests.conftest import ROOT, run_cli
from tests.postgres import PASSWORD, Server, free_port, server

UTC = dt.UTC
NOW = dt.datetime.now(UTC).replace(microsecond=0)
CONTRACT = """\
data_source: accounts
version: 2.0.0
owner: accounts-team@company.example
schema:
  id: {type: string (UUID), primary_key: true}
  name: {type: string, required: true, min_length: 2}
  plan: {type: enum, values: [free, pro, team], required: true}
  seats: {type: int32, minimum: 1, maximum: 100}
  country: {type: string, pattern: "^[A-Z]{2}$"}
  starts: {type: date, required: true}
  ends: {type: date}
  updated_at: {type: timestamp with time zone, required: true}
sla:
  max_delay: 1 hour
  freshness_column: updated_at
quality:
  - {type: completeness, columns: [country], min_ratio: 75%}
  - {type: row_count, min: 3}
  - {type: uniqueness, columns: [name, plan]}
  - {type: sql, expression: "ends >= starts"}
"""
COLUMNS = ["id", "name", "plan", "seats", "country", "starts", "ends", "updated_at"]
SCHEMA = pl.Schema(
    {
        "id": pl.String(),
        "name": pl.String(),
        "plan": pl.String(),
        "seats": pl.Int32(),
        "country": pl.String(),
        "starts": pl.Date(),
        "ends": pl.Date(),
        "updated_at": pl.Datetime("us", "UTC"),
    }
)
DDL = {
    "postgres": "id text, name text, plan text, seats integer, country text, starts date, ends date, "
    "updated_at timestamptz",
    "duckdb": "id VARCHAR, name VARCHAR, plan VARCHAR, seats INTEGER, country VARCHAR, starts DATE, ends DATE, "
    "updated_at TIMESTAMPTZ",
    "sqlite": "id TEXT, name TEXT, plan TEXT, seats INTEGER, country TEXT, starts DATE, ends DATE, "
    "updated_at TIMESTAMP",
}
IDS = [f"{i:08x}-8a47-4c1b-9d0e-2b7f0c3a5e11" for i in range(1, 9)]
D = dt.date


def clean(updated: dt.datetime = NOW - dt.timedelta(minutes=10)) -> list[tuple[object, ...]]:
    return [
        (IDS[0], "Ada", "free", 1, "GB", D(2024, 1, 1), D(2024, 12, 31), updated),
        (IDS[1], "Bo", "pro", 5, "DE", D(2024, 2, 1), None, updated),
        (IDS[2], "Cy", "team", 100, None, D(2024, 3, 1), D(2024, 3, 1), updated - dt.timedelta(days=3)),
        (IDS[3], "Di", "pro", None, "JP", D(2024, 4, 1), D(2025, 1, 1), updated),
    ]


def dirty() -> list[tuple[object, ...]]:
    """One or more of every violation the contract can have."""
    now = NOW - dt.timedelta(minutes=5)
    return [
        (IDS[0], "Ada", "free", 0, "GB", D(2024, 1, 1), D(2023, 12, 31), now),  # below minimum; rule
        (IDS[0], "A", "gold", 500, "usa", D(2024, 2, 1), None, now),  # dup id, short, enum, max, pattern
        ("not-a-uuid", "Bo", "pro", 5, None, D(2024, 3, 1), D(2024, 3, 1), now),  # format; null country
        (IDS[3], "Bo", "pro", 7, None, D(2024, 4, 1), D(2024, 3, 31), now),  # uniqueness; rule; null
        (IDS[4], None, "team", 2, "FR", D(2024, 5, 1), None, now),  # null in a required column
        (IDS[5], "Ed", "team", 3, None, D(2024, 6, 1), None, now),  # completeness 2/6 < 75%
    ]


def frame(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def reader_messages(rows: list[tuple[object, ...]]) -> list[str]:
    contract, _ = load_bytes(CONTRACT.encode(), "accounts.yaml")
    assert contract is not None
    try:
        validate(frame(rows), table(contract), whole_table=True, now=NOW)
    except ContractViolationError as exc:
        return sorted(v.message for v in exc.violations)
    return []


# -- the sources -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    with server() as running:
        yield running


def load_postgres(pg: Server, rows: list[tuple[object, ...]], name: str = "accounts") -> None:
    with pg.connect() as db:
        db.execute(f'DROP TABLE IF EXISTS "{name}"')
        db.execute(f'CREATE TABLE "{name}" ({DDL["postgres"]})')
        with db.cursor() as cursor:
            cursor.executemany(f'INSERT INTO "{name}" VALUES (%s, %s, %s, %s, %s, %s, %s, %s)', rows)


def load_duckdb(path: Path, rows: list[tuple[object, ...]]) -> None:
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as db:
        db.execute(f"CREATE TABLE accounts ({DDL['duckdb']})")
        db.executemany("INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def load_sqlite(path: Path, rows: list[tuple[object, ...]]) -> None:
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute(f"CREATE TABLE accounts ({DDL['sqlite']})")
        text = [tuple(v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v for v in row) for row in rows]
        text = [tuple(v.isoformat() if isinstance(v, dt.date) else v for v in row) for row in text]
        db.executemany("INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?, ?, ?)", text)
    db.close()


def entry(kind: str, where: Path, pg: Server | None = None, port: int | None = None) -> str:
    if kind == "postgres":
        assert pg is not None
        return (
            f"  accounts:\n    kind: postgres\n    host: 127.0.0.1\n    port: {port or pg.port}\n"
            "    database: postgres\n    table: accounts\n    user: ${PG_USER}\n    password: ${PG_PASSWORD}\n"
            "    sslmode: disable\n"
        )
    return f"  accounts:\n    kind: {kind}\n    path: {where}\n    table: accounts\n"


def project(tmp_path: Path, config: str) -> Path:
    (tmp_path / "contracts").mkdir(exist_ok=True)
    (tmp_path / "contracts" / "accounts.yaml").write_text(CONTRACT)
    (tmp_path / "access.yaml").write_text("version: 1\nsources:\n" + config)
    return tmp_path


ENV = {"PG_USER": "postgres", "PG_PASSWORD": PASSWORD}
KINDS = ["duckdb", "sqlite", "postgres"]


def prepare(
    kind: str, tmp_path: Path, rows: list[tuple[object, ...]], request: pytest.FixtureRequest
) -> Path:
    pg = request.getfixturevalue("postgres") if kind == "postgres" else None
    where = tmp_path / f"accounts.{kind}"
    if kind == "postgres":
        load_postgres(pg, rows)
    elif kind == "duckdb":
        load_duckdb(where, rows)
    else:
        load_sqlite(where, rows)
    return project(tmp_path, entry(kind, where, pg))


def check(folder: Path, *more: str) -> tuple[int, str, str]:
    done = run_cli("sources", "check", "--config", "access.yaml", *more, cwd=folder, env=ENV)
    return done.returncode, done.stdout, done.stderr


# -- the checks ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_healthy_source(kind, tmp_path, request):
    folder = prepare(kind, tmp_path, clean(), request)
    code, out, err = check(folder)
    assert (code, err) == (0, ""), out
    assert out.startswith("✓ accounts: healthy\n  - connection: connected")
    assert "  - schema version: 2.0.0\n" in out
    assert "  - records available: 4\n" in out
    assert "  - freshness: fresh: within the SLA max_delay of 1 hour\n" in out
    assert f"  - last updated: {(NOW - dt.timedelta(minutes=10)).date()}" in out


@pytest.mark.parametrize("kind", KINDS)
def test_the_database_counts_what_the_reader_counts(kind, tmp_path, request, monkeypatch):
    rows = dirty()
    folder = prepare(kind, tmp_path, rows, request)
    contract, _ = load_bytes(CONTRACT.encode(), "accounts.yaml")
    assert contract is not None
    settings = parse_config((folder / "access.yaml").read_bytes(), "access.yaml")
    source = settings.get("accounts")
    assert source is not None
    monkeypatch.chdir(folder)
    report = health.live(contract, source, ENV, NOW)
    expected = reader_messages(rows)
    assert len(expected) == 11, expected
    assert report.status == "unhealthy"
    assert sorted(report.problems) == expected
    assert report.records == 6


@pytest.mark.parametrize("kind", KINDS)
def test_a_stale_table_breaks_the_sla(kind, tmp_path, request):
    folder = prepare(kind, tmp_path, clean(updated=NOW - dt.timedelta(hours=5)), request)
    code, out, _ = check(folder)
    assert code == 1
    assert "✗ accounts: unhealthy" in out
    assert "  - freshness: stale: newest 'updated_at' is older than the SLA max_delay of 1 hour\n" in out
    assert "  - problem: 'updated_at': stale: the newest value is more than 1 hour (SLA max_delay) old" in out


def test_a_renamed_column_in_postgres_is_diagnosed(tmp_path, postgres):
    load_postgres(postgres, clean())
    with postgres.connect() as db:
        db.execute('ALTER TABLE "accounts" RENAME COLUMN "starts" TO "start_date"')
        db.execute('ALTER TABLE "accounts" RENAME COLUMN "seats" TO "seat_count"')
    code, out, _ = check(project(tmp_path, entry("postgres", tmp_path, postgres)))
    assert code == 1
    assert (
        "  - problem: missing column 'starts'; the data has an unexpected column 'start_date' (Date) instead: "
        "probably 'starts' was renamed to 'start_date' upstream." in out
    )
    assert (
        "  - problem: unexpected column 'start_date' is not in the contract (probably the renamed 'starts')"
        in out
    )
    # An optional column may be absent (old data stays valid), but the rename is still named.
    assert (
        "  - problem: unexpected column 'seat_count' is not in the contract (probably the renamed 'seats')"
        in out
    )
    assert "  - records available: 4\n" in out  # the other checks still ran


def test_json_for_schedulers_never_holds_the_password(tmp_path, postgres):
    load_postgres(postgres, clean())
    code, out, err = check(project(tmp_path, entry("postgres", tmp_path, postgres)), "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    assert data["healthy"] is True and data["dry_run"] is False
    [source] = data["sources"]
    assert source["name"] == "accounts" and source["records"] == 4 and source["status"] == "healthy"
    assert source["environment"] == {"PG_USER": True, "PG_PASSWORD": True}
    assert PASSWORD not in out + err


def test_a_wrong_password_is_reported_without_it(tmp_path, postgres):
    load_postgres(postgres, clean())
    folder = project(tmp_path, entry("postgres", tmp_path, postgres))
    done = run_cli(
        "sources", "check", "--config", "access.yaml", cwd=folder, env={**ENV, "PG_PASSWORD": "nope-Wrong-1"}
    )
    assert done.returncode == 4
    assert "✗ accounts: unreachable" in done.stdout
    assert "password authentication failed" in done.stdout
    assert "nope-Wrong-1" not in done.stdout + done.stderr and "Traceback" not in done.stderr


def test_a_refused_connection_is_reported(tmp_path, postgres):
    folder = project(tmp_path, entry("postgres", tmp_path, postgres, port=free_port()))
    code, out, err = check(folder)
    assert code == 4
    assert "  - connection: cannot connect: connection failed:" in out
    assert "  hint: check that the server is up and reachable from here" in out
    assert "Traceback" not in err and PASSWORD not in out


def test_missing_environment_variables_are_named_not_shown(tmp_path, postgres):
    folder = project(tmp_path, entry("postgres", tmp_path, postgres))
    done = run_cli(
        "sources", "check", "--config", "access.yaml", cwd=folder, env={"PG_USER": "", "PG_PASSWORD": ""}
    )
    assert done.returncode == 4
    assert "  - missing: environment variables PG_USER, PG_PASSWORD (not set)" in done.stdout


def test_a_missing_table_is_reported(tmp_path, postgres):
    with postgres.connect() as db:
        db.execute('DROP TABLE IF EXISTS "accounts"')
    code, out, _ = check(project(tmp_path, entry("postgres", tmp_path, postgres)))
    assert code == 4
    assert (
        "  - problem: table postgres://127.0.0.1:" in out and "not found (or not visible to this user)" in out
    )


def test_files_are_checked_through_duckdb(tmp_path):
    frame(clean()).write_parquet(tmp_path / "part-1.parquet")
    frame(dirty()[:2]).write_parquet(tmp_path / "part-2.parquet")
    folder = project(tmp_path, "  accounts:\n    kind: parquet\n    path: part-*.parquet\n")
    code, out, _ = check(folder)
    assert code == 1
    assert "  - records available: 6\n" in out
    assert "  - problem: 'id': 3 rows share a value with another row (the column must be unique)" in out


# -- dry runs and configuration --------------------------------------------------------------


def test_dry_run_on_the_repository_configuration(tmp_path):
    done = run_cli("sources", "check", "--dry-run", cwd=ROOT, env={"CRM_DB_HOST": "", "CRM_DB_USER": "x"})
    assert done.returncode == 4, done.stdout + done.stderr
    assert (
        "config/data_access.yaml not found: using the example config/data_access.yaml.example" in done.stderr
    )
    for name, version in [
        ("billing_payments", "3.0.2"),
        ("customer_master", "2.1.0"),
        ("support_tickets", "1.2.0"),
        ("usage_activity", "1.5.2"),
    ]:
        assert f"✗ {name}: incomplete\n  - connection: dry run: nothing contacted" in done.stdout
        assert f"  - schema version: {version}\n" in done.stdout
    assert "  - environment: CRM_DB_HOST missing, CRM_DB_USER set, CRM_DB_PASSWORD missing\n" in done.stdout
    assert (
        "  - warning: rate limited (100 requests/hour on the live ticketing API): read the batch export"
        in done.stdout
    )
    assert "  - missing: data/clickstream.duckdb (no such file here)" in done.stdout


def test_dry_run_of_a_complete_entry_is_ready(tmp_path):
    load_sqlite(tmp_path / "a.sqlite", clean())
    folder = project(tmp_path, entry("sqlite", Path("a.sqlite")))
    code, out, _ = check(folder, "--dry-run")
    assert code == 0
    assert out.startswith(
        "✓ accounts: ready\n  - connection: dry run: nothing contacted (sqlite a.sqlite table accounts)"
    )


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            "  accounts:\n    kind: postgres\n    host: h\n    database: d\n    table: t\n    user: u\n"
            "    password: hunter2-literal\n",
            "access.yaml:9:15: error: 'password' holds a literal value that looks like a credential\n"
            "  hint: write ${NAME} and set the environment variable NAME where the check runs\n",
        ),
        ("  accounts: [unclosed\n", "access.yaml:4:1: error: "),  # YAML syntax: errors, like contracts'
        (
            "  accounts:\n    kind: csv\n    path: https://u:hunter2-literal@example.com/x.csv\n",
            "access.yaml:5:11: error: this value contains what looks like a password inside a URL\n"
            "  hint: write ${NAME} and set the environment variable NAME where the check runs\n",
        ),
        (
            "  accounts:\n    kind: postgress\n    path: x\n",
            "access.yaml:4:11: error: source 'accounts': unknown kind 'postgress'\n  hint: did you mean 'postgres'?",
        ),
        (
            "  accounts:\n    kind: snowflake\n",
            "access.yaml:4:11: error: source 'accounts': there is no snowflake connector yet",
        ),
        (
            "  accounts:\n    kind: parquet\n    path: x\n    host: h\n",
            "access.yaml:6:5: error: 'host' does not apply to a parquet source",
        ),
        (
            "  accounts:\n    kind: duckdb\n    path: x\n",
            "access.yaml:3:3: error: source 'accounts' (duckdb) has no 'table'",
        ),
        (
            "  acounts:\n    kind: parquet\n    path: x\n",
            "access.yaml:3:3: error: no contract named 'acounts'\n  hint: did you mean 'accounts'?",
        ),
    ],
)
def test_configuration_errors_are_located(tmp_path, config, expected):
    code, out, err = check(project(tmp_path, config))
    assert code == 1, out + err
    assert expected in err
    assert err.count(": error: ") == 1, err  # one error for one mistake
    assert "access.credentials" not in err  # a contract's hint, not the configuration's
    assert "hunter2-literal" not in out + err
    assert "Traceback" not in err


def test_a_source_configured_twice_is_located():
    with pytest.raises(ConfigError) as info:
        parse_config(
            b"sources:\n  a:\n    kind: csv\n    path: x\n  a:\n    kind: csv\n    path: y\n", "c.yaml"
        )
    assert (
        str(info.value)
        == "c.yaml:5:3: error: source 'a' is configured twice (first at line 2)\n  hint: keep one entry"
    )


def test_config_loader_refuses_a_url_with_a_password():
    with pytest.raises(ConfigError) as info:
        parse_config(b"sources:\n  a:\n    kind: csv\n    path: https://u:pw@example.com/x.csv\n", "c.yaml")
    assert "c.yaml:4:11: error: this value contains what looks like a password inside a URL" in str(
        info.value
    )


# -- read_database: the generated readers on a database --------------------------------------


def accounts_table():  # type: ignore[no-untyped-def]
    contract, _ = load_bytes(CONTRACT.encode(), "accounts.yaml")
    assert contract is not None
    return table(contract)


def open_source(kind: str, tmp_path: Path, rows: list[tuple[object, ...]], request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    if kind == "postgres":
        pg = request.getfixturevalue("postgres")
        load_postgres(pg, rows)
        return pg.connect()
    path = tmp_path / f"accounts.{kind}"
    if kind == "duckdb":
        load_duckdb(path, rows)
        return duckdb.connect(str(path), read_only=True)
    load_sqlite(path, rows)
    return f"sqlite:///{path}"


@pytest.mark.parametrize("kind", KINDS)
def test_read_database_returns_the_contract_dtypes(kind, tmp_path, request):
    from contractgen.runtime import read_database

    connection = open_source(kind, tmp_path, clean(), request)
    spec = accounts_table()
    frame = read_database("accounts", connection, spec, whole_table=True, now=NOW)
    assert frame.schema == spec.schema
    assert frame.equals(validate(pl.DataFrame(clean(), schema=SCHEMA, orient="row"), spec))
    query = read_database("SELECT * FROM accounts WHERE country IS NOT NULL", connection, spec)
    assert query.height == 3


@pytest.mark.parametrize("kind", KINDS)
def test_read_database_finds_what_the_file_readers_find(kind, tmp_path, request):
    from contractgen.runtime import read_database

    rows = dirty()
    connection = open_source(kind, tmp_path, rows, request)
    with pytest.raises(ContractViolationError) as info:
        read_database("accounts", connection, accounts_table(), whole_table=True, now=NOW)
    assert info.value.source == "database table accounts"
    assert sorted(v.message for v in info.value.violations) == reader_messages(rows)


def test_read_database_reports_values_that_do_not_fit(tmp_path, postgres):
    from contractgen.runtime import read_database

    load_postgres(postgres, clean())
    with postgres.connect() as db:
        db.execute("ALTER TABLE accounts ALTER COLUMN seats TYPE bigint")
        db.execute("UPDATE accounts SET seats = 5000000000 WHERE name = 'Ada'")
        with pytest.raises(ContractViolationError) as info:
            read_database("accounts", db, accounts_table())
    [violation] = info.value.violations
    assert violation.message == "'seats': 1 row not representable as Int32"
    assert [value for _, value in violation.samples] == [5000000000]


def test_read_database_errors_are_one_line(tmp_path):
    from contractgen.runtime import DataReadError, read_database

    db = duckdb.connect()
    with pytest.raises(
        DataReadError, match=r"^cannot read database table nowhere: Catalog Error: Table with name"
    ):
        read_database("nowhere", db, accounts_table())


@pytest.mark.parametrize("kind", ["csv", "ndjson"])
def test_text_files_are_checked_through_duckdb(kind, tmp_path):
    rows = dirty()
    text = frame(rows).with_columns(pl.col("updated_at").dt.strftime("%Y-%m-%d %H:%M:%S%:z"))
    if kind == "csv":
        text.write_csv(tmp_path / "accounts.csv")
    else:
        text.write_ndjson(tmp_path / "accounts.ndjson")
    folder = project(tmp_path, f"  accounts:\n    kind: {kind}\n    path: accounts.{kind}\n")
    monkey = pytest.MonkeyPatch()
    monkey.chdir(folder)
    try:
        contract, _ = load_bytes(CONTRACT.encode(), "accounts.yaml")
        source = parse_config((folder / "access.yaml").read_bytes(), "access.yaml").get("accounts")
        assert contract is not None and source is not None
        report = health.live(contract, source, ENV, NOW)
    finally:
        monkey.undo()
    assert sorted(report.problems) == reader_messages(rows)


def test_a_user_without_read_access_is_told_so(tmp_path, postgres):
    load_postgres(postgres, clean())
    with postgres.connect() as db:
        db.execute("DROP ROLE IF EXISTS outsider")
        db.execute("CREATE ROLE outsider LOGIN PASSWORD 'outsider-Pass-1'")
    folder = project(tmp_path, entry("postgres", tmp_path, postgres))
    done = run_cli(
        "sources", "check", "--config", "access.yaml", cwd=folder,
        env={"PG_USER": "outsider", "PG_PASSWORD": "outsider-Pass-1"},
    )  # fmt: skip
    assert done.returncode == 4
    assert "not found (or not visible to this user)" in done.stdout
    assert (
        "  hint: check the table name and schema in the configuration, and that the user may see it"
        in done.stdout
    )
    assert "outsider-Pass-1" not in done.stdout + done.stderr


@pytest.mark.parametrize("kind", ["postgres"])  # DuckDB widens to HUGEINT, SQLite to a float
def test_a_rule_that_fails_in_the_database_is_that_rules_error(kind, tmp_path, request, monkeypatch):
    # An overflow on one row used to make a reachable source "unreachable" and lose every count.
    overflowing = '  - {type: sql, expression: "seats * 4611686018427387904 > 0"}\n'
    contract = CONTRACT.replace(
        '  - {type: sql, expression: "ends >= starts"}\n',
        f'  - {{type: sql, expression: "ends >= starts"}}\n{overflowing}',
    )
    monkeypatch.setattr(sys.modules[__name__], "CONTRACT", contract)
    folder = prepare(kind, tmp_path, clean(), request)
    code, out, err = check(folder, "--format", "json")
    assert out, err
    source = json.loads(out)["sources"][0]
    assert (code, source["status"], source["records"]) == (1, "unhealthy", 4)
    messages = [v["message"] for v in source["violations"]]
    assert len(messages) == 1
    assert messages[0].startswith('rule "seats" * 4611686018427387904 > 0 could not be evaluated: ')
    assert "out of range" in messages[0].lower() or "overflow" in messages[0].lower()


@pytest.mark.parametrize("suffix", ["?mode=rwc&", "#x", "?mode=rw"])
def test_a_sqlite_uri_cannot_open_a_file_for_writing(tmp_path, suffix):
    from contractgen.runtime import DataReadError, read_database

    path = tmp_path / "accounts.sqlite"
    load_sqlite(path, clean())
    before = sorted(tmp_path.iterdir())
    with pytest.raises(DataReadError, match="unable to open database file"):
        read_database("accounts", f"sqlite:///{path}{suffix}", accounts_table())
    assert sorted(tmp_path.iterdir()) == before  # nothing created beside it


def test_a_sqlite_uri_never_creates_a_file(tmp_path):
    from contractgen.runtime import DataReadError, read_database

    for uri in (f"sqlite:///{tmp_path}/new.db", f"sqlite:///{tmp_path}/new.db?mode=rwc"):
        with pytest.raises(DataReadError, match="unable to open database file"):
            read_database("accounts", uri, accounts_table())
    assert list(tmp_path.iterdir()) == []


RENAMED = """\
data_source: ledger
version: 1.0.0
owner: ledger@company.example
schema:
  id: {type: int64, primary_key: true}
  name: {type: string}
  amount: {type: int32, renamed_from: [amt]}
quality:
  - {type: uniqueness, columns: [name, amount]}
"""
RENAMED_ROWS = [(1, "x", 1), (2, "x", 1), (3, "y", 2)]


def renamed_source(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Any, str]:
    """The ledger with its column still called `amt`: a connection and an access entry."""
    if kind == "postgres":
        pg = request.getfixturevalue("postgres")
        with pg.connect() as db:
            db.execute("DROP TABLE IF EXISTS ledger")
            db.execute("CREATE TABLE ledger (id bigint, name text, amt integer)")
            db.cursor().executemany("INSERT INTO ledger VALUES (%s, %s, %s)", RENAMED_ROWS)
        return pg.connect(), entry("postgres", tmp_path, pg).replace("accounts", "ledger")
    path = tmp_path / "ledger.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE ledger (id INTEGER, name TEXT, amt INTEGER)")
        db.executemany("INSERT INTO ledger VALUES (?, ?, ?)", RENAMED_ROWS)
    db.close()
    return f"sqlite:///{path}", entry("sqlite", path).replace("accounts", "ledger")


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_renamed_column_is_conformed_and_checked_under_its_new_name(kind, tmp_path, request):
    from contractgen.runtime import RenamedColumnWarning, read_database

    contract, _ = load_bytes(RENAMED.encode(), "ledger.yaml")
    assert contract is not None
    spec = table(contract)
    connection, config = renamed_source(kind, tmp_path, request)
    try:
        with pytest.warns(RenamedColumnWarning), pytest.raises(ContractViolationError) as info:
            read_database("ledger", connection, spec)
    finally:
        if not isinstance(connection, str):
            connection.close()
    assert [v.kind for v in info.value.violations] == ["uniqueness"]  # no dtype violation
    source = parse_config(f"version: 1\nsources:\n{config}".encode(), "access.yaml").get("ledger")
    assert source is not None
    report = health.live(contract, source, ENV, NOW)
    assert [v["kind"] for v in report.violations] == ["uniqueness"], report.problems
    assert any("'amt' is the old name of 'amount'" in w for w in report.warnings)


FLAGS = """\
data_source: flags
version: 1.0.0
owner: flags@company.example
schema:
  id: {type: int64, primary_key: true}
  f: {type: boolean}
"""


def flags_source(tmp_path: Path, values: list[object]) -> tuple[Any, Any, Path]:
    path = tmp_path / "flags.sqlite"
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE flags (id INTEGER, f BOOLEAN)")
        db.executemany("INSERT INTO flags VALUES (?, ?)", list(enumerate(values)))
    db.close()
    contract, _ = load_bytes(FLAGS.encode(), "flags.yaml")
    config = f"version: 1\nsources:\n{entry('sqlite', path).replace('accounts', 'flags')}"
    return contract, parse_config(config.encode(), "access.yaml").get("flags"), path


def test_sqlite_booleans_are_read_from_0_and_1_and_other_values_reported(tmp_path):
    from contractgen.runtime import read_database

    contract, source, path = flags_source(tmp_path, [True, False, None])
    frame = read_database("flags", f"sqlite:///{path}", table(contract))
    assert frame["f"].to_list() == [True, False, None]
    assert health.live(contract, source, ENV, NOW).status == "healthy"
    contract, source, path = flags_source(tmp_path, [True, 2, -1])
    with pytest.raises(ContractViolationError) as info:
        read_database("flags", f"sqlite:///{path}", table(contract))
    expected = ["'f': 2 rows not representable as Boolean"]
    assert [v.message for v in info.value.violations] == expected
    assert health.live(contract, source, ENV, NOW).problems == expected


ZONED = """\
data_source: events
version: 1.0.0
owner: events@company.example
schema:
  id: {type: int64, primary_key: true}
  z: {type: timestamp with time zone, minimum: "2024-01-01T00:00:00+00:00", required: true}
sla:
  max_delay: 1 hour
  freshness_column: z
"""


def test_sqlite_compares_zoned_timestamps_as_instants(tmp_path):
    from contractgen.runtime import read_database

    tokyo, lima = dt.timezone(dt.timedelta(hours=9)), dt.timezone(dt.timedelta(hours=-5))
    values = [
        dt.datetime(2024, 1, 1, 8, 0, tzinfo=tokyo),  # 2023-12-31 23:00 UTC: below the minimum
        dt.datetime(2023, 12, 31, 19, 30, 0, 250, tzinfo=lima),  # 00:30 UTC: above it
        NOW - dt.timedelta(minutes=10),  # the newest, written +00:00
        (NOW - dt.timedelta(hours=5)).astimezone(tokyo),  # older, but its text sorts last
    ]
    path = tmp_path / "events.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (id INTEGER, z TIMESTAMP)")
        db.executemany(
            "INSERT INTO events VALUES (?, ?)", [(i, v.isoformat(sep=" ")) for i, v in enumerate(values)]
        )
    db.close()
    contract, _ = load_bytes(ZONED.encode(), "events.yaml")
    assert contract is not None
    with pytest.raises(ContractViolationError) as info:
        read_database("events", f"sqlite:///{path}", table(contract), freshness=True, now=NOW)
    config = f"version: 1\nsources:\n{entry('sqlite', path).replace('accounts', 'events')}"
    source = parse_config(config.encode(), "access.yaml").get("events")
    assert source is not None
    report = health.live(contract, source, ENV, NOW)
    assert report.problems == [v.message for v in info.value.violations]
    assert [(v["kind"], v["count"]) for v in report.violations] == [("minimum", 1)]
    assert report.freshness == "fresh: within the SLA max_delay of 1 hour"
    assert report.last_updated == (NOW - dt.timedelta(minutes=10)).isoformat(sep=" ")


def test_a_newest_value_in_the_future_is_a_warning(tmp_path, request):
    folder = prepare("duckdb", tmp_path, clean(NOW + dt.timedelta(days=30)), request)
    code, out, _ = check(folder, "--format", "json")
    [report] = json.loads(out)["sources"]
    assert (code, report["status"]) == (0, "warning")
    assert report["warnings"] == [
        f"'updated_at': the newest value ({report['last_updated']}) is in the future: "
        "clocks or time zones disagree?"
    ]


def test_an_unusable_freshness_column_says_why(tmp_path, request):
    folder = prepare("duckdb", tmp_path, clean(), request)
    with duckdb.connect(str(tmp_path / "accounts.duckdb")) as db:
        db.execute("ALTER TABLE accounts ALTER updated_at TYPE TIMESTAMP")
    code, out, _ = check(folder, "--format", "json")
    [report] = json.loads(out)["sources"]
    assert code == 1
    assert report["freshness"].startswith(
        "unknown: 'updated_at' cannot be read as the contract says (column 'updated_at' has dtype"
    )
    assert "has no values" not in out


def test_exit_codes_for_a_missing_configuration_and_an_unknown_name(tmp_path, request):
    folder = prepare("duckdb", tmp_path, clean(), request)
    assert check(folder, "nosuch")[0] == 2
    (folder / "access.yaml").unlink()
    code, _, err = check(folder)
    assert code == 3
    assert "no access configuration" in err


PATTERNS = """\
data_source: shapes
version: 1.0.0
owner: shapes@company.example
schema:
  id: {type: int64, primary_key: true}
  word: {type: string, pattern: "^\\\\w+$"}
  cat: {type: string, pattern: "\\\\bcat\\\\b"}
  alpha: {type: string, pattern: "^[[:alpha:]]+$"}
  dot: {type: string, pattern: "^a.c$"}
  digits: {type: string, pattern: "^\\\\d{2}$"}
  ends: {type: string, pattern: "^x$"}
  spaced: {type: string, pattern: "^[^@\\\\s]+$"}
"""
SHAPES = ["id", "word", "cat", "alpha", "dot", "digits", "ends", "spaced"]
SHAPE_ROWS = [
    (1, "héllo", "a cat b", "é", "a\nc", "١٢", "x\n", "a\u3000b"),
    (2, "ab_9", "concat", "Ab", "abc", "12", "x", "ab"),
    (3, "a-b", "cat", "abc", "aéc", "1", "xx", "a b"),
    (4, "e\u0301", "caté", "x", "a\u2028c", "٣4", "\nx", "a\u00a0b"),
]
# Patterns with no exact equivalent in a database's regex dialect: the readers check those.
READERS_ONLY = {"duckdb": {"word", "cat"}, "sqlite": {"word", "cat"}, "postgres": {"word", "cat", "digits"}}


@pytest.mark.parametrize("kind", KINDS)
def test_patterns_count_in_the_database_as_the_readers_match_them(kind, tmp_path, request):
    ddl = ", ".join(f"{c} {'bigint' if c == 'id' else 'text'}" for c in SHAPES)
    marks = ", ".join(["%s" if kind == "postgres" else "?"] * len(SHAPES))
    path = tmp_path / f"shapes.{kind}"
    if kind == "postgres":
        pg = request.getfixturevalue("postgres")
        with pg.connect() as db:
            db.execute("DROP TABLE IF EXISTS shapes")
            db.execute(f"CREATE TABLE shapes ({ddl})")
            db.cursor().executemany(f"INSERT INTO shapes VALUES ({marks})", SHAPE_ROWS)
        config = entry("postgres", path, pg)
    else:
        with (duckdb.connect if kind == "duckdb" else sqlite3.connect)(str(path)) as db:
            db.execute(f"CREATE TABLE shapes ({ddl})")
            db.executemany(f"INSERT INTO shapes VALUES ({marks})", SHAPE_ROWS)
        db.close()
        config = entry(kind, path)
    contract, _ = load_bytes(PATTERNS.encode(), "shapes.yaml")
    assert contract is not None
    frame = pl.DataFrame(SHAPE_ROWS, schema=SHAPES, orient="row")
    with pytest.raises(ContractViolationError) as info:
        validate(frame, table(contract))
    by_readers = {v.column: v.message for v in info.value.violations}
    assert set(by_readers) == set(SHAPES[1:])  # every pattern breaks on some row
    source = parse_config(f"version: 1\nsources:\n{config.replace('accounts', 'shapes')}".encode(), "a.yaml")
    report = health.live(contract, source.get("shapes"), ENV, NOW)  # type: ignore[arg-type]
    only = READERS_ONLY[kind]
    assert sorted(report.problems) == sorted(m for c, m in by_readers.items() if c not in only)
    assert sorted(w.split("'")[1] for w in report.warnings) == sorted(only)
    assert f"is checked by the readers only: {kind} has no exact equivalent of it" in report.warnings[0]


@pytest.mark.parametrize(
    ("pattern", "duckdb_", "postgres_", "sqlite_"),
    [
        (r"^\d+$", r"^\p{Nd}+\z", None, r"^\d+\Z"),
        (r"^a.c$", r"^a.c\z", "^a[^\n]c\\Z", r"^a.c\Z"),
        (r"^[[:upper:]_]{2,3}$", r"^[A-Z_]{2,3}\z", r"^[A-Z_]{2,3}\Z", r"^[A-Z_]{2,3}\Z"),
        (r"^(?:ab|c)\.x$", r"^(?:ab|c)\.x\z", r"^(?:ab|c)\.x\Z", r"^(?:ab|c)\.x\Z"),
        (r"(?i)abc", None, None, None),  # inline flags
        (r"[a-z&&[^x]]", None, None, None),  # Rust class set operations
        (r"\w", None, None, None),
        (r"\bcat\b", None, None, None),
        (r"\p{Greek}", None, None, None),
        (r"[[:^alpha:]]", None, None, None),
        (r"a{300}", "a{300}", None, "a{300}"),  # PostgreSQL bounds stop at 255
    ],
)
def test_patterns_are_translated_only_where_exact(pattern, duckdb_, postgres_, sqlite_):
    from contractgen.sources.regex import translate

    assert [translate(pattern, d) for d in ("duckdb", "postgres", "sqlite")] == [duckdb_, postgres_, sqlite_]
