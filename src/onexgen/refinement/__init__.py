"""Stage 7: apply safe automatic fixes, re-validate, and roll back anything that made it worse."""
