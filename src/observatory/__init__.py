"""Observatory: an open data system for drug and crime observatories."""

import os

# Polars' allocator (jemalloc, configured by Polars through this variable) keeps
# freed memory for 0.5 s, then leaves it counted in the process's RSS for 1 s
# more. An import frees and allocates hundreds of MB per stage: returning freed
# memory after 0.1 s keeps the peak RSS of a 1M-row import near its live data
# (about 0.7 GB instead of 0.9-1 GB; no measurable cost in time). It must be set
# before Polars is imported; a value set by the operator wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:100,muzzy_decay_ms:0")

__version__ = "0.1.0"
