"""One person (NIR) is registered once per study: ``DonorIdentity.registration_key``.

The key is filled for every donor that holds a NIR and is not voided. A database that already
holds the same NIR twice in a study stops here with the pseudonyms instead of having study
data changed without an audited action: void the registration made in error on the donor page
(the reason is kept in the audit trail), then migrate again.
"""

from typing import Any

from django.db import migrations, models


def fill_registration_keys(apps: Any, schema_editor: Any) -> None:
    identity_model = apps.get_model("donors", "DonorIdentity")
    holders: dict[str, list[str]] = {}
    identities = list(identity_model.objects.filter(donor__voided_at__isnull=True).exclude(nir="")
                      .select_related("donor").order_by("pk"))
    for identity in identities:
        key = f"{identity.donor.study_id}:{identity.nir}"
        holders.setdefault(key, []).append(identity.donor.pseudonym)
        identity.registration_key = key
    duplicates = ["/".join(pseudonyms) for pseudonyms in holders.values() if len(pseudonyms) > 1]
    if duplicates:
        raise RuntimeError("the same social security number (NIR) is registered twice in a study; void "
                           "the registration made in error, then migrate again: " + "; ".join(duplicates))
    identity_model.objects.bulk_update(identities, ["registration_key"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('donors', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='donoridentity',
            name='registration_key',
            field=models.CharField(editable=False, max_length=48, null=True),
        ),
        migrations.RunPython(fill_registration_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='donoridentity',
            name='registration_key',
            field=models.CharField(editable=False, max_length=48, null=True, unique=True),
        ),
    ]
