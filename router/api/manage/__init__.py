"""Routes admins and supervisors manage the service with: advisors, catalog, rules, API keys,
the classifier, SLA policies, alerts, held messages under review and satisfaction reports.
"""
