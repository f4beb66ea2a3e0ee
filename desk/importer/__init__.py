"""Reading a commune's hand-made registry workbooks (the import of existing lists).

The reader (:mod:`desk.importer.reader`) turns an .xlsx file into typed
:class:`~desk.importer.rows.ImportRow` objects and row/column
:class:`~desk.importer.rows.Issue` objects without touching the
database: the reference data it needs (categories, programmes, banks, province
codes) is passed in as a :class:`~desk.importer.rows.Reference`. That
keeps it fast enough for 100,000 rows and testable without a database; the
service that checks rows against the registry and writes them in one
transaction lives elsewhere. The layout accepted is the one described in
``docs/domain/import-layout.md``.
"""
