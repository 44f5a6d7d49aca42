from django.urls import path

from observatory.analytics import views

app_name = "analytics"
urlpatterns = [
    path("trends/", views.trends, name="trends"),
    path("flows/", views.flows, name="flows"),
]
