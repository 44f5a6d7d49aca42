from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "observatory.intake"
    label = "intake"
    verbose_name = _("Data intake")

    def ready(self) -> None:
        from observatory.core import upkeep
        from observatory.intake import services

        upkeep.tasks += [services.jobs_stopped, services.jobs_purge]
