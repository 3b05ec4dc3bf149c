"""The server-rendered pages (Django templates with HTMX)."""
