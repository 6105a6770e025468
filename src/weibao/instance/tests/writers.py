"""Writer processes for the durability and backup tests.

``python -m weibao.instance.tests.writers acknowledged N``: writes probe products
``probe-00000`` … one transaction each, resuming after the ones already in the
database, and prints each id only after its commit returned: an acknowledged write.

``python -m weibao.instance.tests.writers pairs``: until killed, writes a product and
one release of it in one transaction, printing a counter after each commit. Any
consistent snapshot holds as many ``load-`` products as releases of them.

The first line is ``ready <journal_mode> <synchronous>`` (SQLite) or ``ready postgresql``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import sys


def say(value: object) -> None:
    """One line on stdout, flushed at once: the parent counts it the moment it is written."""
    sys.stdout.write(f"{value}\n")
    sys.stdout.flush()


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.config.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from weibao.catalog.models import Product, Release

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            synchronous = cursor.execute("PRAGMA synchronous").fetchone()[0]
        say(f"ready {journal} {synchronous}")
    else:
        say(f"ready {connection.vendor}")

    if argv[0] == "acknowledged":
        total = int(argv[1])
        start = Product.objects.filter(code__startswith="probe-").count()
        for number in range(start, total):
            with transaction.atomic():
                product = Product.objects.create(code=f"probe-{number:05d}", name=f"probe {number:05d}")
            say(product.pk)
        say("done")
    elif argv[0] == "pairs":
        for number in itertools.count():
            with transaction.atomic():
                product = Product.objects.create(
                    code=f"load-{os.getpid()}-{number}", name=f"load {os.getpid()} {number}"
                )
                Release.objects.create(product=product, version="1.0", released_on=dt.date(2026, 1, 1))
            say(number)
    else:
        raise SystemExit(f"unknown mode {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
