"""Stage 3: typed contracts per node kind, and loading hand-written ``contract.yaml`` files."""

from onexgen.contracts.builder import build_contract
from onexgen.contracts.loader import ContractLoadError, load_contract

__all__ = ["ContractLoadError", "build_contract", "load_contract"]
