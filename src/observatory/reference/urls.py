from django.urls import path

from observatory.reference import views

app_name = "reference"
urlpatterns = [
    path("", views.reference_index, name="index"),
    path("search/", views.reference_search, name="search"),
    path("areas/", views.area_list, name="area-list"),
    path("areas/<str:code>/", views.area_detail, name="area-detail"),
    path("drugs/", views.drug_list, name="drug-list"),
    path("drugs/<slug:code>/", views.drug_detail, name="drug-detail"),
    path("units/", views.unit_list, name="unit-list"),
    path("iccs/", views.iccs_list, name="iccs-list"),
]
