from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeizuresConfig(AppConfig):
    name = "observatory.seizures"
    label = "seizures"
    verbose_name = _("Drug seizures")

    def ready(self) -> None:
        from django.urls import reverse

        from observatory.intake.registry import register
        from observatory.seizures import selectors
        from observatory.seizures.handler import SeizureHandler
        from observatory.submissions.registry import DatasetViews, datasets

        register(SeizureHandler())
        datasets["seizures"] = DatasetViews(
            summary=selectors.version_summary,
            diff=selectors.version_diff,
            rows_url=lambda version: f"{reverse('seizures:list')}?version={version.pk}",
            office_compiles=True,
        )
