"""The Excel round trip of a questionnaire: a workbook to fill in offline, and the
intake handler that reads it back.

The workbook (xlsxwriter) has, in this order:

- ``_cells`` (very hidden, first): the cell map, one line per cell of the
  questionnaire: its series key, where its value, status, confidentiality and
  note are typed (``Offences!C7`` ...), the row and column labels and a row
  marker the section sheets must still show, and a fingerprint of the value the
  template was pre-filled with. The intake engine reads ONE table per file: it
  reads this one (the first sheet with content), so every import row is a
  questionnaire cell and the engine's report, quarantine and all-or-nothing
  commit work as for any file;
- ``Cover`` (opens first): the questionnaire, version, area, year, the
  instructions in plain words and the status codes;
- one sheet per section, laid out like the browser grid: row labels, column
  headers, and under each column header three columns: the value (decimal >= 0),
  its status (drop-down list; empty = reported) and last year's value (grey,
  read-only). The rows keep a hidden marker in column A. A section with open
  rows (the ARQ's routes) has a row per country already answered (this year or
  last), then empty rows whose country the respondent chooses in column B from
  a drop-down list (the hidden sheet ``_lists``); their cell-map lines carry the
  key with ``*`` for the country, and the country cell in ``row code cell``;
- ``Notes``: one line per cell (filterable by section) for what is rare:
  confidential (yes/no) and a note;
- ``_lists`` (very hidden): the codes to choose from in open rows, as
  "New Zealand (NZL)", one column per dimension;
- ``_template`` (very hidden): what the file is (questionnaire id and version,
  organisation, area, year) and a signature (HMAC with the site's secret key) of
  that and the cell map.

Every sheet is protected without a password: only the yellow input cells are
unlocked; the workbook's structure (sheets) is locked too. Protection keeps
honest hands off the layout; the upload does not rely on it: a changed cell
map, a wrong signature, a moved, inserted or deleted row or column is refused
with a message saying what changed. The country chosen in an open row is read
like a typed cell: a name or code not in the list, numbers without a country and
a country on two rows of a sheet are errors of that row.

Reading (`TemplateHandler`): the engine maps the cell map's columns; the
handler's ``check`` then reads the workbook itself (python-calamine, after the
engine's zip-bomb and truncation guard), parses every input cell and reports
problems on the cell-map line of that cell, with the sheet and cell as the
column ("Offences!C7: not a number"); the questionnaire's rules run on what the
file would save (as warnings: the browser saves drafts that break rules too).
``commit`` writes through ``services.questionnaire_save``, as the browser doe"""
