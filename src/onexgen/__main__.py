"""``python -m onexgen`` runs the CLI."""

from onexgen.cli.app import main

main()
