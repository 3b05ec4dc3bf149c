"""Calibration (校准) before results are published: HR's target distribution of grades (targets), a
cycle's distribution against it (distribution), a grade adjusted with a reason (adjust), and the
publish warning the GM confirms (publishing)."""
