from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "observatory.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from observatory.analytics.tasks import refresh_after_publication
        from observatory.submissions import services

        services.on_publish.append(refresh_after_publication)
