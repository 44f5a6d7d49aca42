"""The statistics pages; each module is one area of the site (urls.py)."""
