"""Exercises get a body region, and families for regions other than the hip. Every existing exercise
is hip work (its family is a hip one), so the default region keeps them valid; load_exercise_library
files the shipped ones."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exercises', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='exercise',
            name='exercise_family_valid',
        ),
        migrations.AddField(
            model_name='exercise',
            name='region',
            field=models.CharField(choices=[('hip', 'Hip'), ('pelvis_trunk', 'Pelvis and trunk'), ('knee', 'Knee'), ('ankle_calf', 'Ankle and calf'), ('foot', 'Foot'), ('hamstring_thigh', 'Hamstring and thigh'), ('general', 'General')], default='hip', max_length=20),
        ),
        migrations.AlterField(
            model_name='exercise',
            name='family',
            field=models.CharField(choices=[('ir_mobility', 'IR mobility'), ('er_flexibility', 'ER and anterior-hip flexibility'), ('extension_mobility', 'Hip extension mobility'), ('control_strength', 'Hip control and strength'), ('mobility', 'Mobility'), ('flexibility', 'Stretching and flexibility'), ('strength', 'Strength'), ('balance', 'Balance and control'), ('running_drills', 'Running drills and plyometrics')], max_length=20),
        ),
        migrations.AddConstraint(
            model_name='exercise',
            constraint=models.CheckConstraint(condition=models.Q(('family__in', ['ir_mobility', 'er_flexibility', 'extension_mobility', 'control_strength', 'mobility', 'flexibility', 'strength', 'balance', 'running_drills'])), name='exercise_family_valid'),
        ),
        migrations.AddConstraint(
            model_name='exercise',
            constraint=models.CheckConstraint(condition=models.Q(('region__in', ['hip', 'pelvis_trunk', 'knee', 'ankle_calf', 'foot', 'hamstring_thigh', 'general'])), name='exercise_region_valid'),
        ),
        migrations.AddConstraint(
            model_name='exercise',
            constraint=models.CheckConstraint(condition=models.Q(('family__in', ['mobility', 'flexibility', 'strength', 'balance', 'running_drills']), models.Q(('family', 'ir_mobility'), ('region__in', ['hip'])), models.Q(('family', 'er_flexibility'), ('region__in', ['hip'])), models.Q(('family', 'extension_mobility'), ('region__in', ['hip'])), models.Q(('family', 'control_strength'), ('region__in', ['hip', 'pelvis_trunk'])), _connector='OR'), name='exercise_family_fits_region'),
        ),
    ]
