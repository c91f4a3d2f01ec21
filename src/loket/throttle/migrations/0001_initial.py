from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name='Hit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.CharField(max_length=40, verbose_name='batas')),
                ('key', models.CharField(max_length=64, verbose_name='kunci')),
                ('at', models.DateTimeField(db_index=True, verbose_name='waktu')),
            ],
            options={
                'verbose_name': 'percobaan terhitung',
                'verbose_name_plural': 'percobaan terhitung',
                'indexes': [models.Index(fields=['scope', 'key', 'at'], name='throttle_hit_key_at')],
            },
        ),
    ]
