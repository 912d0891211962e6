"""Background workers: the registry, the inbound pipeline worker and the sweeper."""
