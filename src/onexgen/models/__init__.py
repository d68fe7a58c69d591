"""Typed models passed between pipeline stages."""

from onexgen.models.classification import (
    ModelClassificationAlternative,
    ModelClassificationResult,
)
from onexgen.models.enums import EnumCategory, EnumNodeKind
from onexgen.models.requirements import (
    ModelPerformanceRequirements,
    ModelPRDRequirements,
    ModelRateLimit,
)

__all__ = [
    "EnumCategory",
    "EnumNodeKind",
    "ModelClassificationAlternative",
    "ModelClassificationResult",
    "ModelPRDRequirements",
    "ModelPerformanceRequirements",
    "ModelRateLimit",
]
