from django.urls import path

from observatory.statistics import (
    crosswalk_views,
    cycle_views,
    download_views,
    reconciliation_views,
    views,
)
from observatory.statistics.explorer_views import explorer_page

app_name = "statistics"

urlpatterns = [
    path("", views.index, name="index"),
    path("explorer/", explorer_page, name="explorer"),
    path("data/", download_views.data_index, name="data"),
    path(
        "data/<slug:dataflow>/structure/<slug:fmt>/",
        download_views.structure_file,
        name="data-structure",
    ),
    path("data/<slug:dataflow>/<slug:fmt>/", download_views.data_file, name="data-file"),
    path("cycles/", cycle_views.cycle_list, name="cycles"),
    path("cycles/<int:pk>/", cycle_views.cycle_detail, name="cycle"),
    path("crosswalks/", crosswalk_views.crosswalk_list, name="crosswalks"),
    path("crosswalks/<int:pk>/", crosswalk_views.crosswalk_detail, name="crosswalk"),
    path(
        "reconciliation/<slug:org>/<int:year>/",
        reconciliation_views.reconcile,
        name="reconciliation",
    ),
    path(
        "questionnaires/<slug:code>/<slug:org>/<int:year>/",
        views.questionnaire,
        name="questionnaire",
    ),
    path(
        "questionnaires/<slug:code>/<slug:org>/<int:year>/template.xlsx",
        views.questionnaire_template,
        name="questionnaire-template",
    ),
]
