"""Web pages, HTMX partials, the JSON API and exports: a thin layer over shopkpi.appraisal."""
