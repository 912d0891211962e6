"""Demo data: a bilingual team, rules and reply templates, loaded by ``aiguillage demo-data``."""
