"""Intake: every way a customer's message comes in (REST, provider webhooks, e-mail over SMTP
or HTTP, web chat), stored exactly once as one typed record, then published to the pipeline.

Also here: provider receipts and automated mail about our own messages, attachments as
received, the outbox sweep, and the channel adapters of this process (``channel_set``).
"""
