"""Remote mode of the CLI: publish a request, follow its session, write what comes back."""
