"""The minimum password length, said in Chinese first.

Django's own validator is used as it is, but its message in Django 5.2 has no 简体中文 translation
(its msgid changed and Django's zh_Hans catalogue was not updated), so the pages and the API would
answer in English; here the message is a Chinese msgid with English in the locale catalogue.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("密码太短：至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}
