"""Stage 5: event models for the node's topics, wrapped in omnibase_core's envelope."""

from onexgen.events.wiring import wire_event_bus

__all__ = ["wire_event_bus"]
