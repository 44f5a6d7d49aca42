"""Observatory: an open data system for drug and crime observatories."""

__version__ = "0.1.0"
