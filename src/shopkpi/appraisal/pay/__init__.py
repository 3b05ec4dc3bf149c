"""Performance pay: the totals every page adds and the pay sheet."""
