from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = _("Editorial roles")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .notifications import connect_notifiers

        connect_notifiers()
