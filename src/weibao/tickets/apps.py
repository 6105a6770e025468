from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "weibao.tickets"
    verbose_name = _("Service desk")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from weibao.tickets import clock_receivers, intake_receiver

        intake_receiver.connect()
        clock_receivers.connect()
