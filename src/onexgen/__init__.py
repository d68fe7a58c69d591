"""onexgen."""
