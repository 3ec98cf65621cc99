"""The words of a range-of-motion reading (clinical-reference §1), shared by the models and by the
pure findings code. Plain ``TextChoices``: importing them touches no database."""

from django.db import models


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"


class Movement(models.TextChoices):
    IR = "ir", "Internal rotation"
    ER = "er", "External rotation"
    EXTENSION = "extension", "Hip extension"

    @property
    def short(self) -> str:
        return {"ir": "IR", "er": "ER", "extension": "Extension"}[self.value]


ROTATIONS = (Movement.IR, Movement.ER)


class Position(models.TextChoices):
    PRONE = "prone", "Prone, hip extended"
    SEATED_90_90 = "seated_90_90", "Seated 90/90"
    SUPINE_90_90 = "supine_90_90", "Supine 90/90"
    OTHER = "other", "Other"
    # Hip extension is measured with the modified Thomas test only; rotations never use it.
    MODIFIED_THOMAS = "modified_thomas", "Modified Thomas test"


ROTATION_POSITIONS = (Position.PRONE, Position.SEATED_90_90, Position.SUPINE_90_90, Position.OTHER)


class Mode(models.TextChoices):
    PASSIVE = "passive", "Passive"
    ACTIVE = "active", "Active"


class Instrument(models.TextChoices):
    GONIOMETER = "goniometer", "Goniometer"
    DIGITAL_INCLINOMETER = "digital_inclinometer", "Digital inclinometer"
    SMARTPHONE_APP = "smartphone_app", "Smartphone app"
    VISUAL_ESTIMATE = "visual_estimate", "Visual estimate"


class EndFeel(models.TextChoices):
    NOT_TESTED = "not_tested", "Not assessed"
    FIRM = "firm", "Firm"
    SOFT = "soft", "Soft"
    HARD = "hard", "Hard"
    EMPTY = "empty", "Empty (pain before resistance)"
    SPASM = "spasm", "Spasm"


# End-feels that stop the program from suggesting stretches (clinical-reference §4).
WORRYING_END_FEELS = (EndFeel.EMPTY, EndFeel.SPASM)


class ReferenceSex(models.TextChoices):
    """Whom a reference value describes. Athletes whose sex is "other" or "not recorded" are
    compared with the "any" row."""

    ANY = "any", "Any"
    FEMALE = "female", "Female"
    MALE = "male", "Male"


class Measure(models.TextChoices):
    """What a reference value describes: a movement, or the IR + ER total arc."""

    IR = "ir", "Internal rotation"
    ER = "er", "External rotation"
    TOTAL_ARC = "total_arc", "Total rotation arc (IR + ER)"
    EXTENSION = "extension", "Hip extension"


class MdcSituation(models.TextChoices):
    SAME_RATER_INCLINOMETER = "same_rater_inclinometer", "Same clinician, digital inclinometer"
    OTHER = "other", "Different clinicians, or goniometer, smartphone app or visual estimate"


class Compensation(models.TextChoices):
    """What the clinician saw while the athlete ran (clinical-reference §1)."""

    PELVIS_EARLY_ROTATION = "pelvis_early_rotation", "Pelvis rotating early or excessively"
    TRUNK_SIDE_BEND = "trunk_side_bend", "Trunk side-bending toward the stance side at foot strike"
    KNEE_VALGUS = "knee_valgus", "Knee falling inward (valgus)"
    FOOT_TURN_OUT = "foot_turn_out", "Foot turning out at toe-off"
    LIMITED_EXTENSION_TOE_OFF = "limited_extension_toe_off", "Limited hip extension at toe-off"
