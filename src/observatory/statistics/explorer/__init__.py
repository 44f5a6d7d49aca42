"""The series explorer (/statistics/explorer/): its form, what it reads, the
computation of rates and regional aggregates with coverage (compute.py, pure
Polars), and how it shows them. The page itself is views/explorer.py."""
