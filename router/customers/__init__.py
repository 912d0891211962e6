"""Customers: identities across channels, merging, the timeline, the advisor's context card
(with the facts and summary read from what the customer wrote) and GDPR export/erasure.
"""
