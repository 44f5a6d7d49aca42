"""Synthetic data for the demo, the tests, the benchmarks and the sample files.

Nothing here is real and nothing here imports Django (an import-linter contract
checks it): the benchmark scripts and the sample-file builder use it
standalone. The tables the generators draw from (routes, trends, seizure
profiles, places) are data files in `data/`, read once at import."""
