"""Time and service levels, pure and I/O-free: business hours, business time, SLA policies and
clocks. Also the field checks and ``RuleError`` that admin-written data (rules, policies)
shares with ``skills``.
"""
