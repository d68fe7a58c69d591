"""The generation pipeline: nine timed stages, progress events, one correlation id per run."""
