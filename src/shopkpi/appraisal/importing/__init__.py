"""Imports as the application runs them: through the web, as jobs, and their withdrawal."""
