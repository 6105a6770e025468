from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstanceConfig(AppConfig):
    """This Weibao installation itself: backup, restore, durability."""

    name = "weibao.instance"
    label = "instance"
    verbose_name = _("Installation")
