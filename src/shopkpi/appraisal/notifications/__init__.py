"""Notices and reminders: the inbox, e-mail and the group robots of 企业微信, 钉钉 and 飞书."""
