"""Incident records (奖惩/扣分记录): what supervisors and HR note about an employee during a month, the kinds
a template counts (`kinds`), the service that records them (`records`), their evidence files
(`evidence`), how they feed the month (`feeding`) and the workbook import (`files`)."""
