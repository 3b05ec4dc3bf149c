from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "shopkpi.web"
    label = "web"

    def ready(self) -> None:
        from shopkpi.web.translations import compile_catalogues

        compile_catalogues()
