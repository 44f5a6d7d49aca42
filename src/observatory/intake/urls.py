from django.urls import path, re_path

from observatory.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.import_list, name="list"),
    path("new/<slug:dataset>/", views.import_new, name="new"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/mapping/", views.import_mapping, name="mapping"),
    path("<int:pk>/commit/", views.import_commit, name="commit"),
    path("<int:pk>/values/", views.import_values, name="values"),
    re_path(r"^(?P<pk>\d+)/report\.(?P<fmt>csv|xlsx|json)$", views.import_report, name="report"),
    path("<int:pk>/original/", views.import_original, name="original"),
]
