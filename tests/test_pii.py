"""Reproductions: values of PII columns leak into errors, CLI output and model reprs.

contracts/customer_master.yaml marks `email` as `pii: true, classification: confidential`.
Error messages end up in job logs, CI output and alerting channels; a PII value must never be
quoted there, nor in the repr of a model instance (which is what logging and tracebacks print).
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from pathlib import Path

import polars as pl
import pytest

from contractgen.runtime import ContractViolationError
from tests.conftest import CONTRACTS, run_cli

INVALID_EMAIL = "zz-planted-pii-7731@@bad"  # violates format: email
VALID_EMAIL = "zz-planted-pii-7731@example.com"
MARKER = "planted-pii-7731"  # in both emails
UTC = dt.UTC


def customer_rows(emails: list[str | None]) -> pl.DataFrame:
    """Rows of customer_master, valid except for what `emails` holds."""
    n = len(emails)
    ids = [f"6f1c2f9e-8a47-4c1b-9d0e-2b7f0c3a5e{i:02d}" for i in range(n)]
    return pl.DataFrame(
        {
            "customer_id": ids,
            "signup_date": [dt.date(2020, 5, 1)] * n,
            "account_type": ["Consumer"] * n,
            "contract_type": ["One Year"] * n,
            "region": ["EMEA"] * n,
            "country_code": ["DE"] * n,
            "email": emails,
            "senior_citizen": [False] * n,
            "has_partner": [True] * n,
            "has_dependents": [False] * n,
            "tenure_months": pl.Series([12] * n, dtype=pl.Int32),
            "account_status": ["active"] * n,
            "cancellation_date": pl.Series([None] * n, dtype=pl.Date),
            "sales_channel": ["web"] * n,
            "created_at": [dt.datetime(2020, 5, 1, 9, tzinfo=UTC)] * n,
            "updated_at": [dt.datetime(2024, 1, 15, 8, tzinfo=UTC)] * n,
        }
    )


def _write(frame: pl.DataFrame, path: Path) -> Path:
    if path.suffix == ".csv":
        frame.write_csv(path)
    else:
        frame.write_parquet(path)
    return path


def _bad_file(tmp_path: Path, suffix: str) -> Path:
    return _write(customer_rows(["ok@example.com", INVALID_EMAIL]), tmp_path / f"customers{suffix}")


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_violation_error_does_not_quote_pii(built, tmp_path: Path, suffix: str):
    """ContractViolationError names the bad email's row and rule, never the email itself."""
    import customer_master

    path = _bad_file(tmp_path, suffix)
    reader = customer_master.read_csv if suffix == ".csv" else customer_master.read_parquet
    with pytest.raises(ContractViolationError) as caught:
        reader(path)
    text = str(caught.value)
    assert "email" in text, text  # the violation is reported, against the right column
    assert MARKER not in text, f"a pii column's value is quoted in the error:\n{text}"
    assert MARKER not in repr(caught.value)


@pytest.mark.parametrize("output", ["text", "json"])
@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_validate_output_does_not_quote_pii(tmp_path: Path, suffix: str, output: str):
    """`contractgen validate --format text|json` reports a bad email without printing it."""
    path = _bad_file(tmp_path, suffix)
    contract = CONTRACTS / "customer_master.yaml"
    done = run_cli("validate", contract, path, "--format", output, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "email" in done.stdout, done.stdout
    assert MARKER not in done.stdout + done.stderr, f"a pii value is printed:\n{done.stdout}"


def test_model_repr_does_not_show_pii(built):
    """repr() and str() of a row model mask a pii field's value (logs print model instances)."""
    import customer_master

    frame = customer_master.validate(customer_rows([VALID_EMAIL]))
    (row,) = customer_master.to_models(frame)
    assert row.email == VALID_EMAIL  # the value itself is kept for the program
    assert MARKER not in repr(row), repr(row)
    assert MARKER not in str(row), str(row)


# --- anonymize(frame) -------------------------------------------------------------------------
# NOTE: the contract key that declares a treatment is not decided yet; `anonymize:` with the
# values hash / mask / drop below is a placeholder. Change ANONYMIZE_KEY (and nothing else) when
# the spelling is settled.
ANONYMIZE_KEY = "anonymize"
PEOPLE = f"""\
data_source: pii_people
version: 1.0.0
schema:
  person_id:
    type: int64
    primary_key: true
  email:
    type: string (email)
    pii: true
    {ANONYMIZE_KEY}: hash
  phone:
    type: string
    pii: true
    {ANONYMIZE_KEY}: mask
  full_name:
    type: string
    pii: true
    {ANONYMIZE_KEY}: drop
  country: string
"""


def test_generated_package_offers_anonymize(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The package has anonymize(frame), applying each pii field's declared hash/mask/drop."""
    from contractgen.build import build

    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "pii_people.yaml").write_text(PEOPLE)
    out = tmp_path / "generated"
    result = build(contracts, out, prefix="anon_")
    assert result.ok, [d.render() for d in result.diagnostics]
    # hash is keyed and refuses to run without a key (see test_anonymize_refuses_to_hash_without_a_key)
    monkeypatch.setenv("CONTRACTGEN_ANONYMIZE_KEY", "a test key of sixteen bytes or more")
    monkeypatch.syspath_prepend(str(out / "anon_pii_people"))
    try:
        package = importlib.import_module("anon_pii_people")
        assert hasattr(package, "anonymize"), "the generated package has no anonymize(frame)"
        emails = ["a.planted-pii-7731@example.com", "b@example.com", "a.planted-pii-7731@example.com"]
        frame = pl.DataFrame(
            {
                "person_id": [1, 2, 3],
                "email": emails,
                "phone": ["+49 30 7731 0001", "+49 30 7731 0002", None],
                "full_name": ["Planted Person", "Other Person", "Third Person"],
                "country": ["DE", "FR", "DE"],
            }
        )
        anonymized = package.anonymize(frame)
        assert "full_name" not in anonymized.columns  # drop
        assert anonymized["person_id"].to_list() == [1, 2, 3]  # untouched
        assert anonymized["country"].to_list() == ["DE", "FR", "DE"]
        hashed = anonymized["email"].to_list()
        assert not set(hashed) & set(emails)  # hash: no original left ...
        assert hashed[0] == hashed[2] != hashed[1]  # ... deterministic, still joinable
        masked = anonymized["phone"].to_list()
        assert "+49 30 7731 0001" not in masked and "+49 30 7731 0002" not in masked  # mask
        assert masked[2] is None
    finally:
        for name in [m for m in sys.modules if m == "anon_pii_people" or m.startswith("anon_pii_people.")]:
            del sys.modules[name]


# --- redaction, through the runtime table of a contract (no build needed) ---------------------
def _table(schema: str):
    from contractgen.codegen.tables import table
    from contractgen.load import load_bytes

    contract, diagnostics = load_bytes(
        f"data_source: t\nversion: 1.0.0\nschema:\n{schema}".encode(), "t.yaml"
    )
    assert contract is not None, [d.render() for d in diagnostics]
    return table(contract)


def _violations(frame: pl.DataFrame, schema: str):
    from contractgen.runtime import validate

    with pytest.raises(ContractViolationError) as caught:
        validate(frame, _table(schema))
    return caught.value


def test_samples_of_a_sensitive_column_are_keyed_digests(monkeypatch: pytest.MonkeyPatch):
    """Rows stay, values go: equal values share a digest, so repeats can still be matched."""
    import hashlib
    import hmac

    from contractgen.runtime import Redacted

    monkeypatch.setenv("CONTRACTGEN_REDACTION_KEY", "k")
    emails = ["ok@example.com", INVALID_EMAIL, "other@@bad", INVALID_EMAIL, None]
    error = _violations(pl.DataFrame({"e": emails}), "  e:\n    type: string (email)\n    pii: true\n")
    (violation,) = error.violations
    digest = hmac.new(b"k", repr(INVALID_EMAIL).encode(), hashlib.sha256).hexdigest()[:8]
    assert [row for row, _ in violation.samples] == [1, 2, 3]
    assert violation.samples[0][1] == violation.samples[2][1] == Redacted(digest)
    assert violation.samples[1][1] != violation.samples[0][1]
    assert str(error).endswith(
        f"'e': 3 rows not a valid email (row 1: <redacted sha256:{digest}>, "
        f"row 2: {violation.samples[1][1]}, row 3: <redacted sha256:{digest}>)"
    )


def test_redaction_key_is_random_per_process_without_the_variable(monkeypatch: pytest.MonkeyPatch):
    from contractgen.runtime.privacy import redact

    monkeypatch.delenv("CONTRACTGEN_REDACTION_KEY", raising=False)
    assert redact(VALID_EMAIL) == redact(VALID_EMAIL)
    monkeypatch.setenv("CONTRACTGEN_REDACTION_KEY", "k")
    assert redact(VALID_EMAIL) != redact(VALID_EMAIL + "x")
    assert redact(None) is None  # that a value is missing is no secret


@pytest.mark.parametrize(
    ("spec", "values", "message"),
    [
        (  # a restricted enum: the allowed values (from the contract) stay, the bad ones go
            '    type: enum ["a", "b"]\n    classification: restricted\n',
            ["a", "zz-planted-pii-7731"],
            "'x': 1 row not among the allowed values ['a', 'b'] (row 1: <redacted sha256:",
        ),
        (
            "    type: string\n    pii: true\n    max_length: 3\n",
            ["abc", "zz-planted-pii-7731"],
            "'x': 1 row longer than 3 (row 1: <redacted sha256:",
        ),
        (
            "    type: string\n    classification: Confidential\n    unique: true\n",
            ["zz-planted-pii-7731", "zz-planted-pii-7731"],
            "'x': 2 rows share a value with another row (the column must be unique) (row 0: <redacted",
        ),
        (
            "    type: int64\n    pii: true\n    maximum: 10\n",
            [7731, 5],
            "'x': 1 row above the maximum 10 (row 0: <redacted sha256:",
        ),
        (  # a pii member inside a struct makes the whole column sensitive
            '    type: list<string>\n    items:\n      type: enum ["a"]\n      pii: true\n',
            [["a"], ["zz-planted-pii-7731"]],
            "'x': 1 row with nested values that do not fit List(Enum(categories=['a'])) (row 1: <redacted",
        ),
    ],
    ids=["enum", "length", "unique", "range", "nested"],
)
def test_no_check_quotes_a_sensitive_value(spec: str, values: list[object], message: str):
    error = _violations(pl.DataFrame({"x": values}), f"  x:\n{spec}")
    assert message in str(error), str(error)
    assert "7731" not in str(error)


def test_composite_key_hides_only_its_sensitive_part():
    schema = "  a:\n    type: int64\n    primary_key: true\n  b:\n    type: string\n    primary_key: true\n    pii: true\n"
    error = _violations(pl.DataFrame({"a": [1, 1], "b": [VALID_EMAIL] * 2}), schema)
    (violation,) = error.violations
    assert [(row, value["a"]) for row, value in violation.samples] == [(0, 1), (1, 1)]
    assert MARKER not in str(error)
    assert "(row 0: (1, <redacted sha256:" in str(error)


def test_samples_of_other_columns_are_still_shown():
    schema = "  a:\n    type: string\n    max_length: 2\n  b:\n    type: string\n    pii: true\n    max_length: 2\n"
    error = _violations(pl.DataFrame({"a": ["abc"], "b": ["xyz"]}), schema)
    assert "'a': 1 row longer than 2 (row 0: 'abc')" in str(error)
    assert "'xyz'" not in str(error)


def test_csv_text_that_does_not_parse_is_redacted(tmp_path: Path):
    from contractgen.runtime import read_csv

    path = tmp_path / "t.csv"
    path.write_text("x\n12\nzz-planted-pii-7731\n")
    with pytest.raises(ContractViolationError) as caught:
        read_csv(path, _table("  x:\n    type: int32\n    pii: true\n"))
    assert "'x': 1 row not readable as Int32: expected an integer (digits, optional sign) on line 3 " in str(
        caught.value
    )
    assert "(row 1: <redacted sha256:" in str(caught.value)
    assert MARKER not in str(caught.value)


def test_validation_errors_of_a_model_do_not_echo_pii(built):
    """Pydantic quotes the input in its errors; a model with a sensitive field hides it."""
    import customer_master
    import pydantic

    (row,) = customer_master.to_models(customer_master.validate(customer_rows([VALID_EMAIL])))
    data = row.model_dump(by_alias=True) | {"email": f"{MARKER}@@bad"}
    with pytest.raises(pydantic.ValidationError) as caught:
        customer_master.CustomerMaster.model_validate(data)
    assert "email" in str(caught.value)
    assert MARKER not in str(caught.value)


# --- anonymize, through the runtime -----------------------------------------------------------
KEY = "a test key of sixteen bytes or more"
TREATED = (
    "  id: int64\n"
    "  email:\n    type: string (email)\n    anonymize: mask\n"
    "  phone:\n    type: string\n    pii: true\n    anonymize: mask\n"
    "  account:\n    type: int64\n    pii: true\n    anonymize: hash\n"
    "  score:\n    type: float64\n    anonymize: drop\n"
)


def _treated_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "email": ["alice@example.com", "b@@x.example", "", None],
            "phone": ["+49 30 7731 0001", "0", None, "+49 30 7731 0002"],
            "account": [7731, 42, 7731, None],
            "score": [0.5, 0.25, None, 1.0],
        }
    )


def test_anonymize_applies_each_treatment():
    import hashlib
    import hmac

    from contractgen.runtime import anonymize

    out = anonymize(_treated_frame(), _table(TREATED), key=KEY)
    assert out.columns == ["id", "email", "phone", "account"]  # drop: score is gone
    assert out["id"].to_list() == [1, 2, 3, 4]  # no treatment: untouched
    # mask: the first character and ***; an email keeps its domain; nulls stay null
    assert out["email"].to_list() == ["a***@example.com", "b***@x.example", "***", None]
    assert out["phone"].to_list() == ["+***", "0***", None, "+***"]
    # hash (a non-string column): HMAC-SHA256 of the value's text, in hex; nulls stay null
    expected = hmac.new(KEY.encode(), b"7731", hashlib.sha256).hexdigest()
    assert out["account"].dtype == pl.String
    assert out["account"].to_list()[0] == out["account"].to_list()[2] == expected
    assert out["account"].to_list()[1] == hmac.new(KEY.encode(), b"42", hashlib.sha256).hexdigest()
    assert out["account"].to_list()[3] is None


def test_anonymize_is_keyed_and_lazy_alike(monkeypatch: pytest.MonkeyPatch):
    from contractgen.runtime import anonymize

    table = _table(TREATED)
    monkeypatch.setenv("CONTRACTGEN_ANONYMIZE_KEY", KEY)
    eager = anonymize(_treated_frame(), table)
    assert eager.equals(anonymize(_treated_frame(), table, key=KEY.encode()))
    assert eager.equals(anonymize(_treated_frame().lazy(), table).collect())
    other = anonymize(_treated_frame(), table, key="another key, also long enough")
    assert other["account"].to_list()[0] != eager["account"].to_list()[0]


def test_anonymize_refuses_to_hash_without_a_key(monkeypatch: pytest.MonkeyPatch):
    from contractgen.runtime import AnonymizeKeyError, anonymize

    monkeypatch.delenv("CONTRACTGEN_ANONYMIZE_KEY", raising=False)
    with pytest.raises(AnonymizeKeyError) as caught:
        anonymize(_treated_frame(), _table(TREATED))
    assert str(caught.value) == (
        "t 1.0.0: anonymize() hashes 'account' and needs a secret key: set the environment variable "
        "CONTRACTGEN_ANONYMIZE_KEY or pass key=. Without a key, a hash of an email address is undone "
        "by hashing a list of addresses."
    )
    with pytest.raises(AnonymizeKeyError) as caught:
        anonymize(_treated_frame(), _table(TREATED), key="short")
    assert str(caught.value) == (
        "t 1.0.0: anonymize() hashes 'account', and its key is 5 bytes; use at least 16 "
        "(for example the output of: python -c 'import secrets; print(secrets.token_hex(32))')"
    )
    # mask and drop need no key; columns the frame lacks are skipped
    out = anonymize(_treated_frame().drop("account"), _table(TREATED))
    assert out.columns == ["id", "email", "phone"]


def test_snapshot_keeps_the_treatment_and_reads_old_snapshots():
    from contractgen.load import load_bytes
    from contractgen.snapshot import from_snapshot, snapshot

    contract, _ = load_bytes(f"data_source: t\nversion: 1.0.0\nschema:\n{TREATED}".encode(), "t.yaml")
    assert contract is not None
    text = snapshot(contract)
    assert '"anonymize": "hash"' in text
    assert from_snapshot(text, "t.json") == contract
    old = text.replace(',\n      "anonymize": "hash"', "").replace(',\n      "anonymize": "mask"', "")
    old = old.replace(',\n      "anonymize": "drop"', "")
    assert "anonymize" not in old
    assert [f.anonymize for f in from_snapshot(old, "t.json").fields] == [None] * 5


SECRET_EMAIL = "alice.secret-4471@example.com"


def _customer_table():
    from contractgen.codegen.tables import table
    from contractgen.load import load_all

    contracts, _ = load_all((CONTRACTS / "customer_master.yaml").read_bytes(), "customer_master.yaml")
    return table(contracts[0])


def test_csv_parse_error_does_not_quote_the_row():
    """An unterminated quote: Polars quotes the row; DataReadError keeps only the kind and place."""
    from contractgen.runtime import DataReadError, read_csv

    spec = _customer_table()
    header = ",".join(c.name for c in spec.columns)
    with pytest.raises(DataReadError) as caught:
        read_csv(f'{header}\n"{SECRET_EMAIL},1,2\n'.encode(), spec)
    assert SECRET_EMAIL not in str(caught.value)
    assert str(caught.value).startswith("cannot read <bytes> as CSV: line 2 has a quote character"), (
        caught.value
    )


@pytest.mark.parametrize("output", ["text", "json"])
def test_csv_without_header_does_not_print_its_first_row(tmp_path: Path, output: str):
    """A CSV without a header row: one clear error, and the first row's values are not printed."""
    path = tmp_path / "customers.csv"
    path.write_text(f"6f1c2f9e-8a47-4c1b-9d0e-2b7f0c3a5e00,2020-05-01,{SECRET_EMAIL}\n")
    contract = CONTRACTS / "customer_master.yaml"
    done = run_cli("validate", contract, path, "--format", output, cwd=tmp_path)
    assert done.returncode == 3, done.stdout + done.stderr
    assert SECRET_EMAIL not in done.stdout + done.stderr
    assert f"the first line of {path} names none of the contract's columns: is the header missing?" in (
        done.stderr
    )


NESTED = """\
data_source: nested_pii
version: 1.0.0
schema:
  id:
    type: int64
  address:
    type: struct
    pii: true
    fields:
      zip:
        type: string
"""


def test_to_models_never_raises_a_raw_validation_error():
    """A model-only check on a nested field fails: the error names field and row, not the value."""
    from pydantic import BaseModel, ConfigDict, Field

    from contractgen.codegen.tables import table
    from contractgen.load import load_all
    from contractgen.runtime import ContractViolationError, to_models

    class Address(BaseModel):
        model_config = ConfigDict(hide_input_in_errors=True)
        zip: str = Field(pattern=r"^\d{5}$")

    class Row(BaseModel):
        model_config = ConfigDict(hide_input_in_errors=True)
        id: int
        address: Address

    contracts, diagnostics = load_all(NESTED.encode(), "nested.yaml")
    assert contracts, diagnostics
    frame = pl.DataFrame({"id": [1, 2], "address": [{"zip": "12345"}, {"zip": SECRET_EMAIL}]})
    with pytest.raises(ContractViolationError) as caught:
        to_models(frame, table(contracts[0]), Row)
    text = str(caught.value) + repr(caught.value.violations)
    assert SECRET_EMAIL not in text
    assert "'address.zip': 1 row fails the model's check (string_pattern_mismatch) on row 1" in text


ANONYMIZED = """\
data_source: anon_pii
version: 1.0.0
schema:
  id:
    type: int64
  email:
    type: string
    format: email
    anonymize: mask
    renamed_from: [mail]
"""


def _anon_table():
    from contractgen.codegen.tables import table
    from contractgen.load import load_all

    contracts, diagnostics = load_all(ANONYMIZED.encode(), "anon.yaml")
    assert contracts, diagnostics
    return table(contracts[0])


def test_anonymize_treats_a_column_under_its_old_name():
    """A frame using the field's `renamed_from` name is treated too, not passed through."""
    from contractgen.runtime.privacy import anonymize

    out = anonymize(pl.DataFrame({"id": [1], "mail": [SECRET_EMAIL]}), _anon_table())
    assert out["mail"].to_list() == ["a***@example.com"]


def test_anonymize_refuses_a_column_differing_only_in_case():
    """A column named like a treated one but for case is refused, never returned in clear."""
    from contractgen.runtime.privacy import anonymize

    with pytest.raises(ValueError, match="refuses column 'Email': it differs only in case from 'email'"):
        anonymize(pl.DataFrame({"id": [1], "Email": [SECRET_EMAIL]}), _anon_table())


def test_a_value_has_one_digest_whichever_reader_finds_it(tmp_path, monkeypatch):
    """read_csv redacted its samples twice (the check, then the reader), so a value's digest
    there matched no other reader's."""
    import polars as pl

    from contractgen.runtime import Column, ContractViolationError, Table, read_csv, read_parquet
    from contractgen.runtime.privacy import redact

    monkeypatch.setenv("CONTRACTGEN_REDACTION_KEY", "a key of at least sixteen bytes")
    table = Table(
        "r", "1.0.0", pl.Schema({"ssn": pl.String()}), (Column("ssn", sensitive=True, pattern=r"^\d+$"),)
    )
    (tmp_path / "a.csv").write_text("ssn\nSECRET2\n")
    pl.DataFrame({"ssn": ["SECRET2"]}).write_parquet(tmp_path / "a.parquet")
    digests = []
    for read in (
        lambda: read_csv(tmp_path / "a.csv", table),
        lambda: read_parquet(tmp_path / "a.parquet", table),
    ):
        with pytest.raises(ContractViolationError) as error:
            read()
        digests.append(error.value.violations[0].samples[0][1])
    assert digests == [redact("SECRET2"), redact("SECRET2")]
