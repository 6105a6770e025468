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
        _sla_registry_fill()


def _sla_registry_fill() -> None:
    """Tell the service-level pages which request kinds and teams exist (sla cannot import tickets)."""
    from weibao.sla.registry import request_kinds_register, teams_register
    from weibao.tickets.models import Team
    from weibao.tickets.workflow import KIND_LABELS

    request_kinds_register([(str(kind.value), label) for kind, label in KIND_LABELS.items()])
    teams_register(lambda: list(Team.objects.order_by("name").values_list("pk", "name")))
