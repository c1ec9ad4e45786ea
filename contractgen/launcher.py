"""The `contractgen` command's entry point: a clear word when the CLI's dependencies are missing.

Generated packages need only the runtime (Polars and Pydantic), so `pip install contractgen`
brings no more than that; the command line needs `pip install 'contractgen[cli]'`.
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from contractgen.cli import main as run
    except ModuleNotFoundError as exc:
        if exc.name not in ("typer", "jinja2", "yaml", "click", "rich"):
            raise
        sys.stderr.write(
            f"error: the contractgen command needs {exc.name}, which is not installed;\n"
            "install the command line with: pip install 'contractgen[cli]'\n"
        )
        raise SystemExit(2) from None
    run()
