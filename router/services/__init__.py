"""Use cases: each one owns its transaction and commits once."""
