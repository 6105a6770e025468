"""Client-isolation coverage of the accounts area (see tests/isolation_registry.py).

The shared archive has no tokens, so each entry creates one owned by a member of the
archive's client: client A walking at client B's token must get 404, and at a token
of their own (the positive control) must not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from weibao.accounts.models import AccessToken, Role, User
from weibao.accounts.tokens import token_create


def _member_of(archive: Any) -> User:
    """A user of the archive's client; created (with a membership) if it has none yet.

    The membership goes through the client's reverse relation because accounts sits
    below customers and may not import it.
    """
    member = User.objects.filter(client_membership__client=archive.client).order_by("pk").first()
    if member is None:
        member = User.objects.create_user(username=f"member-{archive.client.code}", role=Role.CLIENT_USER)
        archive.client.memberships.create(user=member)
    return member


def _token_of(archive: Any) -> AccessToken:
    return token_create(actor=_member_of(archive), name="isolation", scope=AccessToken.Scope.READ_WRITE).token


ROUTES: dict[str, Callable[[Any], dict[str, int]]] = {
    "accounts:token_revoke": lambda archive: {"pk": _token_of(archive).pk},
}
API: dict[str, Callable[[Any], dict[str, int]]] = {
    "token_revoke": lambda archive: {"token_id": _token_of(archive).pk},
}
# The security officer's buttons take ids of users and locks, which belong to no client:
# client users get 404 for every id there (test_security_pages.py), so they are listed
# for coverage, not walked.
SHARED_ROUTES: dict[str, Callable[[Any], dict[str, int]]] = {
    "accounts:user_unlock": lambda archive: {"pk": _member_of(archive).pk},
    "accounts:user_totp_reset": lambda archive: {"pk": _member_of(archive).pk},
    "accounts:lockout_release": lambda archive: {"pk": 1},
}
# The same entries under the name the registry also reads; both create their token.
FACTORIES: dict[str, Callable[[Any], dict[str, int]]] = {**ROUTES, **API}
