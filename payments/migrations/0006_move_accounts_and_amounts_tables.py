"""Banks and accounts move to the ``accounts`` app, base levels and
entitlements to ``amounts``.

Their tables (and their history tables) are renamed here; rows, constraints,
indexes and the foreign keys that point at them stay as they are.
``accounts.0001_initial`` and ``amounts.0001_initial`` take the models over in
their state and move their content types; ``0007_forget_accounts_and_amounts``
re-points the payments' foreign keys in the state and forgets the models.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0005_fill_months'),
        # The roles' data migration creates the permissions of the models as they
        # are then; run after it, the move relabels them, so a new database ends
        # with the same content types and grants as one migrated from before.
        ('reports', '0001_roles'),
    ]

    operations = [
        migrations.AlterModelTable(name='bank', table='accounts_bank'),
        migrations.AlterModelTable(name='historicalbank', table='accounts_historicalbank'),
        migrations.AlterModelTable(name='paymentaccount', table='accounts_paymentaccount'),
        migrations.AlterModelTable(name='historicalpaymentaccount', table='accounts_historicalpaymentaccount'),
        migrations.AlterModelTable(name='allowancerate', table='amounts_allowancerate'),
        migrations.AlterModelTable(name='historicalallowancerate', table='amounts_historicalallowancerate'),
        migrations.AlterModelTable(name='entitlement', table='amounts_entitlement'),
        migrations.AlterModelTable(name='historicalentitlement', table='amounts_historicalentitlement'),
    ]
