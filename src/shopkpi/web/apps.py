from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "shopkpi.web"
    label = "web"
