"""The pipeline: the worker shell and the stages a stored message goes through, in order.

``inbound`` runs them for a batch: identity -> customer (``router.customers.identities``),
thread -> conversation (``router.tickets.threads``), classification (``classification``,
before any row is locked), care (``router.routing.care``), routing
(``router.routing.assignment``). ``base`` and ``workers`` are the worker registry and loop;
``sweeper`` runs the periodic jobs.
"""
