from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "shopkpi.appraisal"
    label = "appraisal"
    verbose_name = "绩效考核 appraisal"
    default_auto_field = "django.db.models.BigAutoField"
