"""Backups of a home and their restore: `take_backup`, `restore_backup` (moving SQLite to PostgreSQL too)."""
