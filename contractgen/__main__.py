"""`python -m contractgen`, the same as the `contractgen` command."""

from contractgen.cli import main

main()
