"""Routes admins and supervisors manage the service with: advisors, catalog, rules, API keys,
the classifier, SLA policies, alerts and satisfaction reports.
"""
