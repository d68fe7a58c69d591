"""Closed vocabularies shared by every stage.

Kept in one place so the parser, the contract builders and the templates can never disagree
about what a node kind or a category is called.
"""

from __future__ import annotations

from enum import StrEnum


class EnumNodeKind(StrEnum):
    """The four ONEX node kinds, lower-case as omnibase_core's ``EnumNodeKind`` spells them."""

    EFFECT = "effect"
    COMPUTE = "compute"
    REDUCER = "reducer"
    ORCHESTRATOR = "orchestrator"

    @property
    def contract_node_type(self) -> str:
        """The ``node_type`` value a contract needs (``EFFECT_GENERIC`` and so on)."""
        return f"{self.value.upper()}_GENERIC"

    @property
    def class_suffix(self) -> str:
        """``Effect``, ``Compute``... as used in class names."""
        return self.value.capitalize()


class EnumCategory(StrEnum):
    """What area a node works in; drives best practices and template variants."""

    DATABASE = "database"
    CACHE = "cache"
    API = "api"
    MESSAGING = "messaging"
    STORAGE = "storage"
    ML = "ml"
    MONITORING = "monitoring"
    SECURITY = "security"
    WORKFLOW = "workflow"
    DATA = "data"
    GENERAL = "general"
