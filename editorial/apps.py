from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial roles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .notifications import connect_notifiers

        connect_notifiers()
