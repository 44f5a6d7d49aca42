"""SDMX 2.1: the SDMX view of a dataflow (cube.py), structure messages and the
data-structure-specific schema (structure.py), data out (writer.py) and in
(reader.py)."""
