from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "observatory.intake"
    label = "intake"
    verbose_name = _("Data intake")

    def ready(self) -> None:
        from observatory.core import lease
        from observatory.intake import services

        lease.on_worker_start.append(services.jobs_stopped)
        lease.on_worker_start.append(services.jobs_purge)
