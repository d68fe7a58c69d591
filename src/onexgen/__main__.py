"""``python -m onexgen`` runs the CLI."""

from onexgen.cli.entry import main

main()
