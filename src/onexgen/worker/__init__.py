"""``onexgen worker``: answers codegen requests from the event bus as one member of a group."""
