"""Observations and structures out: `observations.export_observations` and
`export_structure` (every format, streamed, disclosure control applied), and
the open data files of /statistics/data/ (open_data.py)."""
