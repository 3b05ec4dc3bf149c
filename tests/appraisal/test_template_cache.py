"""A template is parsed once per process for each text (issue 14): every review of a month, loaded on
its own, shares the compiled template of its version's text, found by the text's sha256; another text
is parsed again."""

from __future__ import annotations

from unittest import mock

import pytest

from shopkpi.appraisal.models import TemplateVersion
from shopkpi.appraisal.models import cycles as cycle_models
from shopkpi.scorecard import load_template_text

pytestmark = pytest.mark.django_db
TEXT = """\
id: cache-test
name: 缓存测试
period: month
items:
  - {key: attitude, name: 工作态度, weight: 100%, rated_by: supervisor}
"""


def test_the_same_text_is_parsed_once_whatever_the_instance_or_version() -> None:
    first = TemplateVersion.objects.create(template_id="cache-test", version=1, name="缓存测试", text=TEXT)
    # the same text saved again as another version (e.g. under another id): the same compiled template
    again = TemplateVersion.objects.create(template_id="cache-copy", version=1, name="缓存测试", text=TEXT)
    changed = TemplateVersion.objects.create(
        template_id="cache-test", version=2, name="缓存测试", text=TEXT.replace("工作态度", "服务态度")
    )
    parsing = mock.patch("shopkpi.scorecard.load_template_text", wraps=load_template_text)
    with mock.patch.dict(cycle_models._COMPILED, clear=True), parsing as parse:
        compiled = [TemplateVersion.objects.get(pk=pk).compiled() for pk in (first.pk, first.pk, again.pk)]
        assert parse.call_count == 1
        assert compiled[0] is compiled[1] is compiled[2]
        assert cycle_models.compiled_before(TEXT) is compiled[0]
        other = TemplateVersion.objects.get(pk=changed.pk).compiled()
        assert other is not compiled[0] and other.items[0].name == "服务态度"
        assert TemplateVersion.objects.get(pk=changed.pk).compiled() is other
        assert parse.call_count == 2
