from django.urls import path

from observatory.statistics.views import crosswalks, cycles, definitions, downloads, questionnaires
from observatory.statistics.views.explorer import explorer_page

app_name = "statistics"

urlpatterns = [
    path("", questionnaires.index, name="index"),
    path("explorer/", explorer_page, name="explorer"),
    path("data/", downloads.data_index, name="data"),
    path(
        "data/<slug:dataflow>/structure/<slug:fmt>/",
        downloads.structure_file,
        name="data-structure",
    ),
    path("data/<slug:dataflow>/<slug:fmt>/", downloads.data_file, name="data-file"),
    path("dataflows/define/", definitions.define_dataflow, name="define"),
    path("cycles/", cycles.cycle_list, name="cycles"),
    path("cycles/<int:pk>/", cycles.cycle_detail, name="cycle"),
    path("crosswalks/", crosswalks.crosswalk_list, name="crosswalks"),
    path("crosswalks/<int:pk>/", crosswalks.crosswalk_detail, name="crosswalk"),
    path(
        "questionnaires/<slug:code>/<slug:org>/<int:year>/",
        questionnaires.questionnaire,
        name="questionnaire",
    ),
    path(
        "questionnaires/<slug:code>/<slug:org>/<int:year>/template.xlsx",
        questionnaires.questionnaire_template,
        name="questionnaire-template",
    ),
]
