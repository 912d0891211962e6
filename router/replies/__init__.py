"""Replies: an advisor's answer stored then delivered through the channel adapter, and reply
templates (admin CRUD, suggestions, rendering).
"""
