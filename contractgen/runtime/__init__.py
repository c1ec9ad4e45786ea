"""What generated packages import: table specs, the checks, the readers and the one error.

Imports only polars and pydantic, so that importing a generated client package stays light.
"""

from contractgen.runtime.check import (
    FilledColumnWarning,
    RemovedColumnWarning,
    RenamedColumnWarning,
    coercion,
    validate,
)
from contractgen.runtime.database import read_database
from contractgen.runtime.errors import ContractViolationError, Violation, ViolationKind
from contractgen.runtime.io import (
    DataReadError,
    Source,
    read_csv,
    read_parquet,
    scan_parquet,
    to_models,
)
from contractgen.runtime.privacy import AnonymizeKeyError, Redacted, anonymize
from contractgen.runtime.spec import Column, Rule, Table, Unexpected

__all__ = [
    "AnonymizeKeyError",
    "Column",
    "ContractViolationError",
    "DataReadError",
    "FilledColumnWarning",
    "Redacted",
    "RemovedColumnWarning",
    "RenamedColumnWarning",
    "Rule",
    "Source",
    "Table",
    "Unexpected",
    "Violation",
    "ViolationKind",
    "anonymize",
    "coercion",
    "read_csv",
    "read_database",
    "read_parquet",
    "scan_parquet",
    "to_models",
    "validate",
]
