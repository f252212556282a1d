"""The same coded entry (code, start, end) is recorded once per screening (voided ones aside).

A database that already holds such duplicates stops here with their list instead of having
study data changed without an audited action: void the extra entries on the screening page
(the reason is kept in the audit trail), then migrate again.
"""

from typing import Any

from django.conf import settings
from django.db import migrations, models


def refuse_existing_duplicates(apps: Any, schema_editor: Any) -> None:
    found = []
    for name in ("Condition", "Medication"):
        model = apps.get_model("screening", name)
        rows = (model.objects.filter(voided_at__isnull=True).values("screening__donor__pseudonym", "code", "start", "end")
                .annotate(n=models.Count("id")).filter(n__gt=1))
        found += [f"{r['screening__donor__pseudonym']} {r['code']} {r['start']}–{r['end'] or ''}" for r in rows]
    if found:
        raise RuntimeError("coded entries recorded twice; void the extra ones, then migrate again: "
                           + "; ".join(found))


class Migration(migrations.Migration):

    dependencies = [
        ('screening', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_existing_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='condition',
            constraint=models.UniqueConstraint(condition=models.Q(('end__isnull', False), ('voided_at__isnull', True)), fields=('screening', 'code', 'start', 'end'), name='screening_condition_once_closed'),
        ),
        migrations.AddConstraint(
            model_name='condition',
            constraint=models.UniqueConstraint(condition=models.Q(('end__isnull', True), ('voided_at__isnull', True)), fields=('screening', 'code', 'start'), name='screening_condition_once_ongoing'),
        ),
        migrations.AddConstraint(
            model_name='medication',
            constraint=models.UniqueConstraint(condition=models.Q(('end__isnull', False), ('voided_at__isnull', True)), fields=('screening', 'code', 'start', 'end'), name='screening_medication_once_closed'),
        ),
        migrations.AddConstraint(
            model_name='medication',
            constraint=models.UniqueConstraint(condition=models.Q(('end__isnull', True), ('voided_at__isnull', True)), fields=('screening', 'code', 'start'), name='screening_medication_once_ongoing'),
        ),
    ]
