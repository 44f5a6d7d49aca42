from django.urls import path

from observatory.submissions import views

app_name = "submissions"
urlpatterns = [
    path("", views.version_list, name="list"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("versions/<int:pk>/<slug:action>/", views.version_action, name="action"),
]
