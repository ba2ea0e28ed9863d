"""Login lockout (django-axes) in two tiers, keyed on the client's real address.

- per username and address: AXES_FAILURE_LIMIT failures of one username from one address lock that
  pair. Someone guessing a colleague's password locks only themselves out, never the colleague at
  their own desk;
- per address: AXES_ADDRESS_FAILURE_LIMIT failures from one address, whatever the usernames, lock the
  address (password spraying).

The address is the client's as the reverse proxy saw it (PROXY_COUNT): without that, every login
comes from the proxy and one person's failures would lock everyone out.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


class TieredLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """The failures axes compares with AXES_FAILURE_LIMIT: the pair's own, or the limit itself once
        the address has reached its own limit."""
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)  # type: ignore[attr-defined]
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        address = attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
        if address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(address, settings.AXES_FAILURE_LIMIT)
        username = get_client_username(request, credentials)
        pair = attempts.filter(username=username).aggregate(failures=Sum("failures_since_start"))["failures"]
        return pair or 0
