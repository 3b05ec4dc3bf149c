"""shopkpi: the monthly performance appraisal (绩效考核) of e-commerce teams."""

__version__ = "0.1.0"
