"""Tickets: reading and listing conversations, threads, the lifecycle and its pure transition
rules, notes, tags, the event record, service levels and satisfaction surveys.
"""
