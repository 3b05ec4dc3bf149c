"""The demo company: built through the real import path and the real workflow (`shopkpi demo`)."""
