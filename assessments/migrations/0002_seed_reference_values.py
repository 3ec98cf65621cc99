"""Ship the reference values and MDC95 defaults of clinical-reference §2–3, each with its source.

The numbers are written out here (not imported) so that this migration means the same thing
whatever the code looks like later. Clinics change them with override rows, never by editing these.
"""

from decimal import Decimal as D

from django.db import migrations

CUT_OFF = "cut-off = mean − 1 SD (proposed)"
REFERENCES = [
    # measure, position, mode, sex, mean, sd, threshold, band_low, band_high, source
    ("ir", "prone", "passive", "any", D("35.0"), D("9.0"), D("26.0"), None, None,
     f"Kouyoumdjian et al. 2012 (n=120): adults about 35° (35.2°), SD 9°; {CUT_OFF}"),
    ("ir", "prone", "passive", "male", D("36.7"), D("9.2"), D("27.5"), None, None,
     f"Collegiate runners and controls (IJSPT): men 36.7 ± 9.2°; {CUT_OFF}"),
    ("ir", "prone", "passive", "female", D("46.0"), D("9.1"), D("36.9"), None, None,
     f"Collegiate runners and controls (IJSPT): women 46.0 ± 9.1°; {CUT_OFF}"),
    ("er", "prone", "passive", "any", D("42.0"), D("9.0"), D("33.0"), None, None,
     f"Kouyoumdjian et al. 2012: adults about 42° (41.8°), SD 9° as for IR; {CUT_OFF}"),
    ("total_arc", "prone", "passive", "any", None, None, None, D("77.0"), D("95.0"),
     "77–95° depending on method: Kouyoumdjian et al. 2012 (77.1°); 2003 runners study (94.8 ± 13.3°)"),
    ("total_arc", "seated_90_90", "passive", "any", D("81.7"), D("11.6"), None, None, None,
     "2003 runners study, seated 90/90: 81.7 ± 11.6° (about 13° less than the same runners prone)"),
    ("total_arc", "supine_90_90", "passive", "any", D("68.1"), None, None, None, None,
     "Kouyoumdjian et al. 2012, supine 90/90: 68.1° (prone 77.1° in the same study)"),
    ("extension", "modified_thomas", "passive", "any", D("6.8"), None, D("0.0"), D("0.0"), None,
     "Roach et al. 2015: 0° or more is normal (thigh reaches the table); controls 6.8°, chronic low back "
     "pain −4.2°"),
]
MDC = [
    ("same_rater_inclinometer", D("8.0"),
     "Proposed default for one clinician with a digital inclinometer: SEM 3.1–4.7° in hip OA (Pua et al. 2008) "
     "gives MDC95 ≈ 8.6–13°; intra-rater ICC 0.76–0.97 for prone IR (Prather et al., PM&R 2010)"),
    ("other", D("12.0"),
     "Proposed default for different clinicians, a goniometer, a smartphone app or a visual estimate: "
     "inter-rater ICC 0.79 for prone IR (Prather et al., PM&R 2010); MDC95 ≈ 8.6–13° (Pua et al. 2008)"),
]


def seed(apps, schema_editor):
    ReferenceValue = apps.get_model("assessments", "ReferenceValue")
    MdcSetting = apps.get_model("assessments", "MdcSetting")
    for measure, position, mode, sex, mean, sd, threshold, band_low, band_high, source in REFERENCES:
        ReferenceValue.objects.update_or_create(
            clinic=None, measure=measure, position=position, mode=mode, sex=sex,
            defaults={"mean": mean, "sd": sd, "threshold": threshold, "band_low": band_low, "band_high": band_high,
                      "source": source},
        )
    for situation, degrees, source in MDC:
        MdcSetting.objects.update_or_create(clinic=None, situation=situation,
                                            defaults={"degrees": degrees, "source": source})


def unseed(apps, schema_editor):
    apps.get_model("assessments", "ReferenceValue").objects.filter(clinic=None).delete()
    apps.get_model("assessments", "MdcSetting").objects.filter(clinic=None).delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_reference_data")]
    operations = [migrations.RunPython(seed, unseed)]
