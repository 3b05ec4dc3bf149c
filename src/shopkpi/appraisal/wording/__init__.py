"""What the application calls its identifiers and records in the reader's language: the labels of states,
actions and audit fields, template variables, an import's warnings, an audit entry's before and after.
The pages, the exports and `shopkpi worker` (which writes large exports) word them from here."""
