from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "weibao.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from weibao.knowledge import services

        # Articles are a source of the index; other apps bring theirs in their
        # ``search_sync`` module (requests: weibao.tickets.search_sync), imported by name
        # because the knowledge layer may not import the layers above it.
        services.sources_register()
        autodiscover_modules("search_sync")
