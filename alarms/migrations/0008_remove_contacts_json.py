from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("alarms", "0007_contacts_as_rows")]

    operations = [migrations.RemoveField(model_name="protectedobject", name="contacts_json")]
