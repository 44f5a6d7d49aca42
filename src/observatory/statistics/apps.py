from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    name = "observatory.statistics"
    label = "statistics"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from observatory.intake.registry import register
        from observatory.statistics import selectors, services
        from observatory.statistics.formats.annex import AnnexHandler
        from observatory.statistics.formats.dhis2 import Dhis2Handler
        from observatory.statistics.formats.national import NationalHandler
        from observatory.statistics.formats.portal import SUBMISSION_DATASET, PortalHandler
        from observatory.statistics.formats.sdmx.reader import SdmxCsvHandler, SdmxMlHandler
        from observatory.statistics.formats.workbook.handler import TemplateHandler
        from observatory.submissions import services as submission_services
        from observatory.submissions.registry import DatasetViews, datasets

        submission_services.on_status_change.append(services.on_version_status)
        register(PortalHandler())
        register(NationalHandler())
        register(SdmxCsvHandler())
        register(SdmxMlHandler())
        register(Dhis2Handler())
        register(TemplateHandler())
        register(AnnexHandler())
        datasets[SUBMISSION_DATASET] = DatasetViews(
            summary=selectors.version_summary,
            diff=selectors.version_diff,
            rows_url=lambda version: "",
            office_compiles=True,
        )
