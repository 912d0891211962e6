"""What supervisors watch: anger alerts and the team reports (intense spread, SLA, CSAT)."""
