"""The registry desk, on top of every layer: the officer's registry pages (the list
shows a person's amount, account and registration), the import of a commune's
workbooks and the export in the same layout, the police's verification batch,
and the shipped reference data."""
