"""The event bus: one port, an in-process and a Kafka adapter, the codegen topics and messages.

Why a package of its own: the worker, the remote CLI and the tests all speak to the bus only
through :class:`onexgen.bus.port.EventBusPort`, so which broker (or none) sits behind it is
decided at the edge, where the CLI reads ``--kafka-servers``.
"""
