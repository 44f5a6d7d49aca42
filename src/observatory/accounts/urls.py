from django.urls import path

from observatory.accounts import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.account, name="account"),
    path("me/tokens/", views.token_list, name="token-list"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/<str:code>/", views.organisation_detail, name="organisation-detail"),
    path(
        "organisations/<str:code>/members/<int:pk>/remove/",
        views.membership_revoke,
        name="membership-revoke",
    ),
    path("audit/", views.audit_log, name="audit-log"),
]
