from __future__ import annotations

from django import template

from shopkpi.web import number_format

register = template.Library()
register.filter("yuan", number_format.yuan)
register.filter("percent", number_format.percent)
register.filter("wan", number_format.wan)
register.filter("score", number_format.score)
register.filter("approx", number_format.approx)
register.filter("pay", number_format.pay)
register.filter("pay_words", number_format.pay_words)
