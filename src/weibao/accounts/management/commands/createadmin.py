"""``weibao createadmin``: create or update an administrator account.

The password comes from ``--password``, else the WEIBAO_ADMIN_PASSWORD environment
variable, else a prompt when run at a terminal. It must pass the password
validators; a weak one is refused with their messages and nothing is written.
"""

from __future__ import annotations

import getpass
import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from weibao.accounts.audit import event_record
from weibao.accounts.models import Role, User
from weibao.core.snapshot import model_snapshot

PASSWORD_VARIABLE = "WEIBAO_ADMIN_PASSWORD"  # noqa: S105 - the variable's name, not a password
AUDITED_FIELDS = ["username", "email", "role", "is_active", "is_staff", "is_superuser"]


@transaction.atomic
def user_createadmin(
    *, actor: User | None, username: str, password: str, email: str | None = None
) -> tuple[User, bool]:
    """Create ``username`` as an administrator, or make the existing user one; set the password.

    Returns the user and whether it was created. The password must pass
    AUTH_PASSWORD_VALIDATORS. Side effects: writes the user and a
    ``user.createadmin`` event. Raises ValidationError (field dict) on a weak
    password or a bad user name or e-mail address.
    """
    user = User.objects.select_for_update().filter(username=username).first()
    created = user is None
    if user is None:
        user = User(username=username)
    before = {} if created else model_snapshot(user, AUDITED_FIELDS)
    user.role = Role.ADMIN
    user.is_staff = True
    user.is_superuser = True
    user.is_active = True
    if email is not None:
        user.email = email
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean()
    user.save()
    event_record(
        actor=actor,
        action="user.createadmin",
        obj=user,
        before=before,
        after=model_snapshot(user, AUDITED_FIELDS),
        only_changes=not created,
    )
    return user, created


class Command(BaseCommand):
    help = "Create an administrator, or make an existing user one and set the password."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--username", default="admin", help="User name (default: admin).")
        parser.add_argument("--email", default=None, help="E-mail address.")
        parser.add_argument(
            "--password",
            default=None,
            help=f"Password (else {PASSWORD_VARIABLE}, else a prompt at a terminal). "
            "Beware: a password on the command line shows in the process list.",
        )

    def handle(self, *args: Any, username: str, email: str | None, password: str | None, **options: Any) -> None:
        password = password or os.environ.get(PASSWORD_VARIABLE) or self._prompt()
        try:
            user, created = user_createadmin(actor=None, username=username, password=password, email=email)
        except ValidationError as exc:
            problems = [f"{field}: {message}" for field, messages in exc.message_dict.items() for message in messages]
            raise CommandError("\n".join(problems)) from exc
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} administrator {user.username}."))

    def _prompt(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError(f"No password given: use --password, set {PASSWORD_VARIABLE} or run at a terminal.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
