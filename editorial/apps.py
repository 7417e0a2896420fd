from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial roles"
    default_auto_field = "django.db.models.BigAutoField"
