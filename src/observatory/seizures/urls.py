from django.urls import path

from observatory.seizures import views

app_name = "seizures"
urlpatterns = [
    path("", views.seizure_list, name="list"),
    path("<int:pk>/", views.seizure_detail, name="detail"),
]
