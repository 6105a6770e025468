from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "weibao.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from weibao.accounts import security_events, signals

        signals.connect()
        security_events.connect()
