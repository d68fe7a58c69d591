"""Stage 1: understand the request (prompt or requirements file) and classify the node kind."""

from onexgen.parsing.classifier import NodeClassifier
from onexgen.parsing.errors import (
    MAX_PROMPT_CHARS,
    PROMPT_TEMPLATE,
    ParsingError,
    PromptRefusedError,
    RequirementsFileError,
)
from onexgen.parsing.prd_analyzer import PRDAnalyzer
from onexgen.parsing.requirements_file import load_requirements_file, requirements_from_mapping

__all__ = [
    "MAX_PROMPT_CHARS",
    "PROMPT_TEMPLATE",
    "NodeClassifier",
    "PRDAnalyzer",
    "ParsingError",
    "PromptRefusedError",
    "RequirementsFileError",
    "load_requirements_file",
    "requirements_from_mapping",
]
