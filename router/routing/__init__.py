"""Routing: rules, profiles, the waiting room, assignment (push and pull), offers, transfer,
escalation, care for advisors and dry-run; the decisions themselves are the pure ``skills``.
"""
