"""Fill the calendar table: the first day of every month, 2000–2100."""

import datetime

from django.db import migrations


def fill(apps, schema_editor):
    Month = apps.get_model("payments", "Month")
    months = [
        Month(month=datetime.date(year, month, 1))
        for year in range(2000, 2101)
        for month in range(1, 13)
    ]
    Month.objects.bulk_create(months, ignore_conflicts=True)


def empty(apps, schema_editor):
    apps.get_model("payments", "Month").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0004_payment_cycles")]
    operations = [migrations.RunPython(fill, empty)]
