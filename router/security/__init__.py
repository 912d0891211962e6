"""Authentication and authorisation primitives, free of the web framework and the database."""
