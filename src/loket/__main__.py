"""`python -m loket ...` is the same as the `loket` command."""

from loket.cli import main

main()
