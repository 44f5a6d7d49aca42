from django.urls import path

from observatory.smuggling import views

app_name = "smuggling"

urlpatterns = [
    path("", views.network_list, name="networks"),
    path("<slug:code>/", views.overview, name="overview"),
    path("<slug:code>/incidents/", views.incident_list, name="incidents"),
    path("<slug:code>/incidents/new/", views.incident_new, name="incident-new"),
    path("<slug:code>/incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("<slug:code>/aggregates/new/", views.aggregates_new, name="aggregates-new"),
    path("<slug:code>/upload/", views.upload, name="upload"),
    path("<slug:code>/export.csv", views.export, name="export"),
    path("<slug:code>/members/", views.member_list, name="members"),
    path("<slug:code>/members/invite/", views.member_invite, name="member-invite"),
    path("<slug:code>/members/<int:pk>/join/", views.member_join, name="member-join"),
    path("<slug:code>/members/<int:pk>/leave/", views.member_leave, name="member-leave"),
    path("<slug:code>/agencies/add/", views.agency_add, name="agency-add"),
    path("<slug:code>/agencies/<int:pk>/remove/", views.agency_remove, name="agency-remove"),
]
