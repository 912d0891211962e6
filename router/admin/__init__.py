"""The directory admins keep: advisors, teams and skills."""
