"""What leaves as a file: safe spreadsheet cells, list workbooks and the rows behind a value."""
