"""The generated files and the event log move to the ``documents`` app.

Their tables are renamed ``documents_generatedfile`` and ``documents_event``
(rows, constraints, indexes and foreign keys stay as they are), then this app
forgets the models; ``documents.0001_initial`` takes them over in its state
and moves their content types.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0005_monthly_report'),
    ]

    operations = [
        migrations.AlterModelTable(name='generatedfile', table='documents_generatedfile'),
        migrations.AlterModelTable(name='event', table='documents_event'),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Event'),
                migrations.DeleteModel(name='GeneratedFile'),
            ],
        ),
    ]
