"""Generated files, the monthly report and the dashboard live here (later issues)."""
