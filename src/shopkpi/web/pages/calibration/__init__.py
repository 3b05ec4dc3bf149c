"""Calibration (校准) pages for HR and the GM: the target distribution, a cycle's grade distribution
against it with the reviews behind each bar, the grade adjustment and the GM's confirmation."""
