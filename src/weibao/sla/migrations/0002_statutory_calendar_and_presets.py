"""Ship the statutory (2004–2026) and 7×24 calendars and the preset policies."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from weibao.sla.seed import presets_install

    presets_install(apps)


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
