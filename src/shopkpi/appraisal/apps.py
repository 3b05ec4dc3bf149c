from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "shopkpi.appraisal"
    label = "appraisal"
    verbose_name = "绩效考核 appraisal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # a killed import or withdrawal is decided by whether its audit entry exists
        from shopkpi.appraisal.importing.imports import recorded_batches
        from shopkpi.data.warehouse.catalogue import on_undecided

        on_undecided(recorded_batches)
        # the warehouse's batch catalogue of this application's home is in its database
        from shopkpi.appraisal.importing.batch_catalogue import catalogue_of
        from shopkpi.data.warehouse.batch_catalogue import use_catalogue

        use_catalogue(catalogue_of)
