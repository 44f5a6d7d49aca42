from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from observatory.accounts import views as account_views
from observatory.analytics import views as analytics_views
from observatory.api.api import api

admin.site.site_header = "Observatory administration"
admin.site.site_title = "Observatory"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("", include("observatory.accounts.urls")),
    path("reference/", include("observatory.reference.urls")),
    path("imports/", include("observatory.intake.urls")),
    path("submissions/", include("observatory.submissions.urls")),
    path("seizures/", include("observatory.seizures.urls")),
    path("analytics/", include("observatory.analytics.urls")),
    path("smuggling/", include("observatory.smuggling.urls")),
    # The ARQ seizure table beside individual seizures reads both datasets, so it
    # lives in analytics (above both); its address stays under statistics/.
    path(
        "statistics/reconciliation/<slug:org>/<int:year>/",
        analytics_views.reconcile,
        name="reconciliation",
    ),
    path("statistics/", include("observatory.statistics.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin signs in through allauth, so MFA and the lockout apply there too.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="admin-login",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path(
        "favicon.ico",
        RedirectView.as_view(url="/static/observatory/favicon.svg", permanent=True),
        name="favicon",
    ),
]
