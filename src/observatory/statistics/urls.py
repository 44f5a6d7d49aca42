from django.urls import path

from observatory.statistics import cycle_views, views

app_name = "statistics"

urlpatterns = [
    path("", views.index, name="index"),
    path("cycles/", cycle_views.cycle_list, name="cycles"),
    path("cycles/<int:pk>/", cycle_views.cycle_detail, name="cycle"),
    path(
        "questionnaires/<slug:code>/<slug:org>/<int:year>/",
        views.questionnaire,
        name="questionnaire",
    ),
]
