"""Command-line interface (Typer). Commands import their heavy dependencies lazily."""
