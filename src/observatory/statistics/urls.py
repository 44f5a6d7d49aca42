from django.urls import path

from observatory.statistics import views

app_name = "statistics"

urlpatterns = [
    path("", views.index, name="index"),
    path(
        "questionnaires/<slug:code>/<slug:org>/<int:year>/",
        views.questionnaire,
        name="questionnaire",
    ),
]
