"""Stand-ins for the country data and network data that later apps add, so the
access policy is exercised with real SQL on every engine."""

from django.db import models


class CountryRecord(models.Model):
    """A row reported by an organisation of an area, with a workflow status."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE)
    area = models.ForeignKey("reference.Area", on_delete=models.CASCADE)
    status = models.CharField(max_length=20)
    label = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.label


class NetworkRecord(models.Model):
    """A row shared with a network for a period, possibly national-only."""

    network = models.ForeignKey("accounts.Network", on_delete=models.CASCADE)
    area = models.ForeignKey("reference.Area", on_delete=models.CASCADE)
    period = models.CharField(max_length=10)
    national_only = models.BooleanField(default=False)
    label = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.label
