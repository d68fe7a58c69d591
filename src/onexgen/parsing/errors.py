"""Errors the parser raises for requests it cannot turn into requirements.

They carry a one-line message and the prompt template, so the CLI (or any caller) can tell the
user exactly what was missing and how a good request looks, without a traceback.
"""

from __future__ import annotations

MAX_PROMPT_CHARS = 8000
"""Longest prompt accepted: a node description, not a whole document (keeps parsing fast)."""

PROMPT_TEMPLATE = """\
Create a <EFFECT|COMPUTE|REDUCER|ORCHESTRATOR> node [called <Name>] [in the <domain> domain]
that <what it does: the action and the thing it acts on>
[with <features: connection pooling, retry logic, caching, metrics, rate limiting, ...>]
[and numbers: pool 10-50, 5000 requests/hour, TTL 30 minutes, 3 retry attempts, 5 second timeout].

Examples:
  Create EFFECT node for PostgreSQL writes with connection pooling (10-50) and retry logic
  COMPUTE node: PriceCalculator (domain: pricing_engine) - calculates prices with tax and discounts
  Sum the amounts of payment events per merchant per day"""


class ParsingError(Exception):
    """Base class: anything the parsing stage reports to the user as a readable one-liner."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PromptRefusedError(ParsingError):
    """The prompt cannot be turned into requirements (blank, too long, or no stated purpose)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.template = PROMPT_TEMPLATE


class RequirementsFileError(ParsingError):
    """A requirements file is missing, unreadable, or does not describe a valid node."""
