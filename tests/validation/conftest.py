"""Keep pytest away from the fixture nodes' own tests: they run only inside the validator."""

collect_ignore_glob = ["fixtures/*"]
