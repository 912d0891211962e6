"""Prometheus metrics: the families (``metrics``), the per-process set-up that must run before
``prometheus_client`` is imported (``process``) and the scrape endpoint (``exposition``).

Counters and histograms are recorded where things happen, once per batch where there is a
batch, and only after the transaction that made them true committed. The gauges that
describe the whole deployment (queue depth, advisors by status, outbox backlog) are read
from the database when scraped (``router.supervision.gauges``), so every process agrees.
"""
