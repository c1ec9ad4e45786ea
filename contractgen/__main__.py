"""`python -m contractgen`, the same as the `contractgen` command."""

from contractgen.launcher import main

main()
