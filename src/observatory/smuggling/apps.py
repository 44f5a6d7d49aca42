from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmugglingConfig(AppConfig):
    name = "observatory.smuggling"
    label = "smuggling"
    verbose_name = _("Migrant smuggling")

    def ready(self) -> None:
        from django.urls import reverse

        from observatory.intake.registry import register
        from observatory.smuggling import selectors, services
        from observatory.smuggling.handler import AggregateHandler, IncidentHandler
        from observatory.submissions import services as submission_services
        from observatory.submissions.models import Version
        from observatory.submissions.registry import DatasetViews, datasets

        register(IncidentHandler())
        register(AggregateHandler())
        submission_services.on_status_change.append(services.on_version_status)

        def rows_url(version: Version) -> str:
            # The label names the network: “MED-VRS 2025”.
            code = version.submission.label.split()[0]
            base = reverse("smuggling:incidents", kwargs={"code": code})
            return f"{base}?area={version.area_id}"

        for code in services.DATASETS:
            datasets[code] = DatasetViews(
                summary=selectors.version_summary,
                diff=selectors.version_diff,
                rows_url=rows_url,
                publishes=False,
            )
