"""Running a generated node on omnibase_core's own runtime (``RuntimeLocal``)."""

from onexgen.running.local import ModelNodeRun, NodeRunError, import_root_of, run_node

__all__ = ["ModelNodeRun", "NodeRunError", "import_root_of", "run_node"]
