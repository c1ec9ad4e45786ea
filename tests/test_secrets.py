"""No credential value reaches output, logs, errors or generated code: contracts only name variables."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.conftest import CONTRACTS, run_cli
from tests.test_readers import usage_rows

SECRETS = {
    "CRM_API_CLIENT_ID": "client-id-7Q9ZK2",
    "CRM_API_CLIENT_SECRET": "s3cr3t-crm-VX81PL",
    "SNOWFLAKE_USER": "svc-user-M4TT3R",
    "SNOWFLAKE_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----QWERTY5511",
    "BILLING_DB_USER": "billing-svc-Z0Z0",
    "BILLING_DB_PASSWORD": "hunter2-XK47GQ",
    "ZENDESK_API_TOKEN": "zd-token-PL3J9W",
}


def test_secret_values_never_appear(tmp_path: Path):
    shutil.copytree(CONTRACTS, tmp_path / "contracts")
    env = {**SECRETS}
    outputs = []
    for args in (
        ("build",),
        ("build", "--check"),
        ("lint", "--format", "json"),
        ("rules",),
        ("diff", "contracts/usage_activity.yaml", "contracts/usage_activity.yaml", "--format", "json"),
    ):
        done = run_cli(*args, cwd=tmp_path, env=env)
        outputs += [done.stdout, done.stderr]
    bad = tmp_path / "bad.parquet"
    usage_rows().rename({"sessions": "session_count"}).write_parquet(bad)
    done = run_cli("validate", "contracts/usage_activity.yaml", "bad.parquet", cwd=tmp_path, env=env)
    assert done.returncode == 1
    outputs += [done.stdout, done.stderr]
    produced = "\n".join(outputs)
    produced += "\n".join(
        p.read_text(errors="replace") for p in (tmp_path / "generated").rglob("*") if p.is_file()
    )
    for name, value in SECRETS.items():
        assert value not in produced, f"the value of {name} leaked"
    # The names are there, so people know what to set.
    access = (tmp_path / "generated" / "billing_payments" / "contract.json").read_text()
    assert "BILLING_DB_PASSWORD" in access
    assert not any(value in os.environ.get(name, "") for name, value in SECRETS.items())
