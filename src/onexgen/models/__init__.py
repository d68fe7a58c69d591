"""Typed models passed between pipeline stages."""

from onexgen.models.classification import (
    ModelClassificationAlternative,
    ModelClassificationResult,
)
from onexgen.models.enums import EnumCategory, EnumNodeKind
from onexgen.models.requirements import (
    ModelFieldConfidence,
    ModelPerformanceRequirements,
    ModelPRDRequirements,
    ModelRateLimit,
)

__all__ = [
    "EnumCategory",
    "EnumNodeKind",
    "ModelClassificationAlternative",
    "ModelClassificationResult",
    "ModelFieldConfidence",
    "ModelPRDRequirements",
    "ModelPerformanceRequirements",
    "ModelRateLimit",
]
