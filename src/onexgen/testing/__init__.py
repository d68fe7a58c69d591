"""Stage 9 (execution side): run a node's tests and explain their failures."""
