"""File formats of observations, one module (or package) per format, each with
its reader (an intake handler, registered in apps.py) and its writer: portal.py,
sdmx/, dhis2.py, workbook/, national.py; importing.py is what the readers share."""
