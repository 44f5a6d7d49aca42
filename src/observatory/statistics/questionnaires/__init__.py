"""Questionnaires: sections and cells (sections.py), their rules (rules/),
checking a version against them (checks.py) and the completeness of reporting
cycles (completeness.py)."""
