# ruff: noqa: E501  (a prose catalogue: one sentence per line reads better than wrapped fragments)
"""The exercise library shipped with RunPhys, and the loader that puts it in the database.

The facts come from the seed articles in ``shared/seeds`` and clinical-reference §4–6; every
sentence is RunPhys's own. Dosages sit inside the §6 ranges, and static stretches follow ACSM
(10–30 s holds, 2–4 repetitions, at least 2 days a week). Each exercise's illustrations are
``static/exercises/<slug>-start.svg`` and ``-end.svg``, drawn from poses in ``exercises/illustrations.py``
by ``manage.py draw_exercise_pictures`` (a developer's tool; the files are committed).

``load_library()`` is idempotent: shipped rows are matched by slug, updated in place (so their
codes, and every program that points at them, stay the same) and retired ones are archived.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from exercises.dosage import Load, Side
from exercises.models import Equipment, Exercise, Family, Finding, ProgramTemplate, ProgramTemplateItem, Region

SEED_000 = "Facts from “Rotational & Lateral Hip Control Exercise for Runners” by James, a running-technique coach."
SEED_001 = ("Facts from “Hip Internal Rotation: Two Exercises to Improve Hip Mobility” (drills shown by "
            "Kelly Starrett and Dr Josh Renkens).")
SEED_002 = "Facts from “Rough Landing: Hip External Rotation, is it needed for runners?” by Mike, RunPhys.com (2016)."
SEED_003 = "Facts from “Hip External Rotations – Hip Strength and Stabilisation” by Brad Beer, POGO Physio."
SEED_004 = "Facts from “Why Hip Rotation Matters More Than You Think” by Dr Connie Hutchins, Movement Solutions (2025)."
RUNPHYS = "Written for RunPhys as a standard companion exercise"

STRETCH_SKIP = ("Do not stretch a hip that hurts before it reaches its end of range, or that feels blocked, "
                "catching or guarded: ask your physio to review it first.")

EXERCISES: list[dict] = [
    # --- IR mobility ------------------------------------------------------------------------------
    {
        "slug": "prone-hip-internal-rotation-active",
        "name": "Prone hip internal rotation (active range)",
        "summary": "Moves the hip into internal rotation with the hip straight, the position runners need in late stance.",
        "family": Family.IR_MOBILITY,
        "region": Region.HIP,
        "addresses": [Finding.LOW_IR, Finding.ASYMMETRY],
        "is_stretch": False,
        "equipment": [Equipment.BED],
        "starting_position": ("Lie face down on a firm bed or a mat with both legs straight and hip-width apart. "
                              "Bend the knee of the working leg to a right angle so the shin points at the ceiling."),
        "steps": [
            "Rest the front of both hips on the bed and keep them there throughout.",
            "Let the foot of the bent leg travel slowly outwards, away from the other leg; the thigh turns inwards as it goes.",
            "Stop at the point where the hip will go no further or the opposite hip starts to lift.",
            "Pause there for two seconds.",
            "Use the muscles around the hip to bring the shin back up to vertical, just as slowly.",
        ],
        "cues": [
            "The thigh stays flat on the bed and in line with the body.",
            "Move the foot like a slow windscreen wiper, controlled both ways.",
            "Breathe out as you reach the end of the movement.",
        ],
        "faults": [
            "The opposite hip lifts, so the pelvis rolls instead of the hip turning.",
            "The knee slides out to the side.",
            "Letting the foot drop and bounce at the end.",
            "Arching the lower back.",
        ],
        "cautions": [
            "Skip it if the hip hurts before the end of the movement, or feels blocked or catching; tell your physio.",
            "If your knee will not bend comfortably to a right angle, bend it only as far as is comfortable.",
        ],
        "dosage": {"sets": 2, "reps": 12, "hold_seconds": 2, "rest_seconds": 30, "sessions_per_day": 1,
                   "days_per_week": 5, "side": Side.BOTH, "pain_ceiling": 2,
                   "progression_criterion": "Full, smooth range on both sides with the pelvis staying flat."},
        "progression": "hip-internal-rotation-contract-relax",
        "regression": None,
        "progression_note": "Make it easier by moving through a smaller range; the contract-relax version gains range faster.",
        "credit": (f"{RUNPHYS}: the active form of the prone, hip-extended rotation test (clinical reference §1), "
                   "the position seed 001 calls run-specific."),
    },
    {
        "slug": "hip-internal-rotation-contract-relax",
        "name": "Hip internal rotation contract-relax",
        "summary": "A contract-then-relax stretch that gains internal rotation with the hip straight.",
        "family": Family.IR_MOBILITY,
        "region": Region.HIP,
        "addresses": [Finding.LOW_IR, Finding.ASYMMETRY],
        "is_stretch": True,
        "equipment": [Equipment.BED, Equipment.BAND],
        "starting_position": ("Lie face down on a firm bed with the working knee bent to a right angle. Loop a strap "
                              "or band around that ankle and hold the other end in the hand on the same side."),
        "steps": [
            "Let the foot fall outwards until you feel the first comfortable stretch deep in the hip.",
            "Hold the strap so the foot stays exactly there.",
            "Press the foot gently back towards the other leg against the strap, at about a third of your effort, for five seconds without letting it move.",
            "Let go of the effort and breathe out slowly.",
            "Allow the foot to drift a little further out, helped by a light pull on the strap, to the new point of stretch.",
            "Hold this new position for the time given, then bring the shin back up to vertical.",
        ],
        "cues": [
            "Both hip bones stay heavy on the bed.",
            "The push is gentle: a third of your strength, not all of it.",
            "Feel the stretch in the hip or buttock, never in the knee.",
        ],
        "faults": [
            "Pushing so hard that the whole body lifts or twists.",
            "Pulling hard on the strap: the shin is a long lever and the knee takes the strain.",
            "Letting the pelvis roll towards the working side.",
        ],
        "cautions": [
            STRETCH_SKIP,
            "Avoid it after a knee ligament injury unless your physio agrees: the strap twists the knee as well as the hip.",
        ],
        "dosage": {"sets": 1, "reps": 3, "hold_seconds": 20, "rest_seconds": 15, "sessions_per_day": 1,
                   "days_per_week": 5, "side": Side.BOTH, "pain_ceiling": 2,
                   "progression_criterion": "The range gained holds from one session to the next."},
        "progression": "split-stance-pelvic-turn",
        "regression": "prone-hip-internal-rotation-active",
        "progression_note": "Keep any new range by following each session with the active prone drill.",
        "credit": SEED_001,
    },
    {
        "slug": "split-stance-pelvic-turn",
        "name": "Split-stance pelvic turn over the back hip",
        "summary": "Turns the pelvis over a straight back leg, rehearsing internal rotation in the late-stance position of running.",
        "family": Family.IR_MOBILITY,
        "region": Region.HIP,
        "addresses": [Finding.LOW_IR, Finding.ASYMMETRY],
        "is_stretch": False,
        "equipment": [Equipment.WALL],
        "starting_position": ("Stand facing a wall with your hands resting on it at shoulder height. Step the working "
                              "leg back into a narrow split stance, as if on a tightrope, with both feet pointing at the wall."),
        "steps": [
            "Soften the front knee and keep the back leg long, heel lightly down.",
            "Keeping the back foot and kneecap pointing at the wall, slowly turn your pelvis towards the side of the back leg.",
            "Turn until you feel the front of the back hip reach its end, without the back knee rolling.",
            "Pause for two seconds.",
            "Turn the pelvis back to square to the wall.",
        ],
        "cues": [
            "The back kneecap keeps looking at the wall.",
            "Turn from the hips; the shoulders simply come along.",
            "Stand tall, as if running light and upright.",
        ],
        "faults": [
            "The back foot and knee swing round with the pelvis, so the hip never rotates.",
            "Arching the lower back to fake the turn.",
            "Leaning your weight into the wall.",
        ],
        "cautions": [
            "Stop if it pinches at the front of the hip; turn less far next time.",
            "Keep both hands on the wall if your balance is unsure.",
        ],
        "dosage": {"sets": 2, "reps": 10, "hold_seconds": 2, "rest_seconds": 30, "sessions_per_day": 1,
                   "days_per_week": 5, "side": Side.BOTH, "pain_ceiling": 2,
                   "progression_criterion": "Ten smooth turns with the back knee still facing the wall."},
        "progression": None,
        "regression": "prone-hip-internal-rotation-active",
        "progression_note": "Harder: take the hands off the wall, or lift the back heel as at toe-off.",
        "credit": SEED_001 + " The drill puts the article's split-stance explanation into practice.",
    },
    {
        "slug": "ninety-ninety-hip-rotations",
        "name": "90-90 hip rotations",
        "summary": "Seated hip rotations that take both hips through internal and external rotation under control.",
        "family": Family.IR_MOBILITY,
        "region": Region.HIP,
        "addresses": [Finding.LOW_IR, Finding.LOW_ER, Finding.ASYMMETRY],
        "is_stretch": False,
        "equipment": [Equipment.NONE],
        "starting_position": ("Sit on the floor with the front leg bent to a right angle at hip and knee, shin across in "
                              "front of you, and the back leg bent to a right angle out to the side and behind. "
                              "Rest your hands on the floor behind you."),
        "steps": [
            "Sit up tall with your chest lifted.",
            "Lift both knees and slowly swing them over to the other side, so the front leg becomes the back leg.",
            "Settle into the mirror-image position without slumping.",
            "Swing the knees back to where you started; that is one repetition.",
        ],
        "cues": [
            "Tall chest the whole way round.",
            "Let the knees lead and the feet follow.",
            "Slow and controlled beats fast and big.",
        ],
        "faults": [
            "Rounding the back and collapsing onto the hands.",
            "Pushing off with the hands to get round.",
            "Throwing the knees over with momentum.",
        ],
        "cautions": [
            "If the front of the hip or the groin pinches, make the movement smaller and put the hands further back.",
            "After hip surgery, only with your surgeon's or physio's say-so.",
        ],
        "dosage": {"sets": 2, "reps": 8, "rest_seconds": 30, "sessions_per_day": 1, "days_per_week": 5,
                   "side": Side.ALTERNATING, "pain_ceiling": 2,
                   "progression_criterion": "Eight slow repetitions with the chest tall and no help from the hands."},
        "progression": "standing-hip-cars",
        "regression": "prone-hip-internal-rotation-active",
        "progression_note": "To progress, lift the hands off the floor while you rotate.",
        "credit": SEED_004,
    },
    {
        "slug": "standing-hip-cars",
        "name": "Standing hip CARs (controlled articular rotations)",
        "summary": "Slow, large circles of the knee on one leg that work the hip through its whole range under control.",
        "family": Family.IR_MOBILITY,
        "region": Region.HIP,
        "addresses": [Finding.LOW_IR, Finding.LOW_ER, Finding.POOR_CONTROL],
        "is_stretch": False,
        "equipment": [Equipment.NONE],
        "starting_position": "Stand tall on the supporting leg with a soft knee and your hands on your hips.",
        "steps": [
            "Raise the working knee in front of you to about hip height.",
            "Take the knee out to the side as far as you can control, keeping the trunk still.",
            "Carry on the circle so the knee swings round behind you, turning the thigh as it goes.",
            "Bring the knee back down under the hip to finish the circle.",
            "Repeat, then do the same number of circles in the opposite direction.",
        ],
        "cues": [
            "Draw the biggest circle you can without the body moving.",
            "Take about ten seconds for each circle.",
            "Keep steady tension in the working hip the whole time.",
        ],
        "faults": [
            "Leaning or twisting the trunk to make the circle look bigger.",
            "Hitching the hip on the working side.",
            "Rushing through the back half of the circle.",
            "The supporting knee drifting inwards.",
        ],
        "cautions": [
            "Rest a hand on a wall if you cannot balance for the whole circle.",
            "Make the circle smaller wherever the hip pinches.",
        ],
        "dosage": {"sets": 1, "reps": 5, "rest_seconds": 30, "sessions_per_day": 1, "days_per_week": 5,
                   "side": Side.BOTH, "pain_ceiling": 2, "tempo": "",
                   "progression_criterion": "Five slow circles each way with no trunk movement."},
        "progression": None,
        "regression": "ninety-ninety-hip-rotations",
        "progression_note": "Easier with a hand on a wall; harder with the eyes closed or the supporting knee more bent.",
        "credit": SEED_004,
    },
    # --- ER and anterior-hip flexibility ----------------------------------------------------------
    {
        "slug": "half-kneeling-hip-flexor-stretch-reach",
        "name": "Half-kneeling hip flexor stretch with overhead reach",
        "summary": "Stretches the front of the hip, with the upper body helping, for limited extension and external rotation.",
        "family": Family.ER_FLEXIBILITY,
        "region": Region.HIP,
        "addresses": [Finding.LOW_ER, Finding.LIMITED_EXTENSION],
        "is_stretch": True,
        "equipment": [Equipment.NONE],
        "starting_position": ("Kneel on the working knee on a cushion with the other foot flat in front, both knees "
                              "bent to about a right angle."),
        "steps": [
            "Tuck your tail under by squeezing the buttock of the kneeling side.",
            "Shift your body weight forwards a little until you feel a stretch at the front of the kneeling hip.",
            "Reach the arm on the kneeling side straight up over your head.",
            "Lean the upper body gently away from the kneeling side.",
            "Hold, breathing steadily, then come back to upright.",
        ],
        "cues": [
            "Ribs down: the stretch comes from the tucked pelvis, not an arched back.",
            "Grow tall first, then lean.",
            "Front knee stays over the ankle.",
        ],
        "faults": [
            "Arching the lower back and tipping the pelvis forwards.",
            "Lunging too far so the front knee passes the toes.",
            "Twisting the trunk instead of leaning to the side.",
        ],
        "cautions": [
            "If kneeling hurts, use a thicker cushion or the standing version.",
            "Stop if you feel a pinch at the front of the hip or pain in the groin.",
        ],
        "dosage": {"sets": 1, "reps": 3, "hold_seconds": 30, "rest_seconds": 15, "sessions_per_day": 1,
                   "days_per_week": 5, "side": Side.BOTH, "pain_ceiling": 2,
                   "progression_criterion": "A comfortable stretch with the pelvis tucked for the whole hold."},
        "progression": None,
        "regression": "standing-hip-flexor-stretch",
        "progression_note": "",
        "credit": SEED_002 + " The article calls it a good stretch for runners and desk workers alike.",
    },
    {
        "slug": "hamstring-biased-er-stretch",
        "name": "Hamstring-biased external rotation stretch",
        "summary": "Stretches the inner hamstrings, which turn the hip inwards, with the leg turned out.",
        "family": Family.ER_FLEXIBILITY,
        "region": Region.HIP,
        "addresses": [Finding.LOW_ER],
        "is_stretch": True,
        "equipment": [Equipment.BENCH],
        "starting_position": ("Stand facing a low bench or step. Rest the heel of the working leg on it with the knee "
                              "straight but not locked, and turn the whole leg out so the toes point to the side."),
        "steps": [
            "Stand tall with your hands on your hips and your pelvis square to the bench.",
            "Keeping your back long, hinge forwards from the hips.",
            "Stop when you feel a stretch along the inner back of the thigh.",
            "Keep the leg turned out while you hold.",
            "Come back up slowly.",
        ],
        "cues": [
            "Chest forwards, not down.",
            "The stretch is in the back of the thigh, not behind the knee.",
            "Toes stay pointing out to the side.",
        ],
        "faults": [
            "Rounding the back to reach further.",
            "Locking the knee hard.",
            "Letting the leg roll back to pointing straight up.",
        ],
        "cautions": [
            "Stop if you feel tingling or pins and needles down the leg.",
            "After a recent hamstring strain, check with your physio first.",
        ],
        "dosage": {"sets": 1, "reps": 3, "hold_seconds": 30, "rest_seconds": 15, "sessions_per_day": 1,
                   "days_per_week": 5, "side": Side.BOTH, "pain_ceiling": 2,
                   "progression_criterion": "Hinging further with the back flat and the leg still turned out."},
        "progression": None,
        "regression": None,
        "progression_note": "Easier on a lower step; harder on a higher one.",
        "credit": SEED_002,
    },
    {
        "slug": "glute-biased-er-stretch",
        "name": "Glute-biased external rotation stretch (seated figure-4)",
        "summary": "A seated figure-4 stretch for the buttock and the deep rotators at the back of the hip, piriformis among them.",
        "family": Family.ER_FLEXIBILITY,
        "region": Region.HIP,
        "addresses": [Finding.LOW_ER],
        "is_stretch": True,
        "equipment": [Equipment.BENCH],
        "starting_position": ("Sit tall on a bench or firm chair and cross the ankle of the working leg over the "
                              "opposite knee, so the shin lies as level as it comfortably can."),
        "steps": [
            "Rest one hand on the inside of the crossed knee and the other on the ankle.",
            "Keeping your back flat, hinge forwards from the hips, bringing the chest towards the shin.",
            "Stop when you feel a stretch in the buttock or outer hip.",
            "Hold, breathing slowly, then sit back up.",
        ],
        "cues": [
            "Lead with the breastbone, not the head.",
            "Both sitting bones stay on the bench.",
            "Let the crossed knee relax downwards; do not force it.",
        ],
        "faults": [
            "Rounding the back to get the head down.",
            "Lifting the buttock of the working side.",
            "Pressing hard on the knee until it hurts.",
        ],
        "cautions": [
            "If the crossed knee hurts, uncross a little or lie on your back to do it instead.",
            "After a hip replacement, only if your surgeon or physio has cleared deep hip bending.",
        ],
        "dosage": {"sets": 1, "reps": 3, "hold_seconds": 30, "rest_seconds": 15, "sessions_per_day": 1,
                   "days_per_week": 5, "side": Side.BOTH, "pain_ceiling": 2,
                   "progression_criterion": "Chest close to the shin with the back still flat."},
        "progression": "wall-assisted-pigeon-stretch",
        "regression": None,
        "progression_note": "",
        "credit": SEED_002,
    },
    {
        "slug": "wall-assisted-pigeon-stretch",
        "name": "Supported pigeon stretch",
        "summary": "The pigeon stretch with the front shin on a bench or against a wall, holding the hip in external rotation to stretch the buttock and piriformis.",
        "family": Family.ER_FLEXIBILITY,
        "region": Region.HIP,
        "addresses": [Finding.LOW_ER],
        "is_stretch": True,
        "equipment": [Equipment.BENCH, Equipment.WALL],
        "starting_position": ("Stand facing a bench or table at about hip height. Lay the shin of the working leg across "
                              "it with the knee bent, and keep the other leg straight behind you. (Or sit with the "
                              "front shin resting against a wall.)"),
        "steps": [
            "Square your hips to the bench.",
            "Keeping a long spine, lean your chest forwards over the shin.",
            "Stop when you feel a stretch in the buttock of the front leg.",
            "Hold, breathing steadily, then come back up.",
        ],
        "cues": [
            "Hips square, not rolled towards the bench.",
            "Lean from the hips with a long spine.",
            "Move the shin nearer to you if the knee complains.",
        ],
        "faults": [
            "Twisting the pelvis to fake the range.",
            "Rounding over the leg.",
            "Letting the knee take the strain instead of the hip.",
        ],
        "cautions": [
            STRETCH_SKIP,
            "Stop if the knee hurts: bring the foot closer to the body.",
        ],
        "dosage": {"sets": 1, "reps": 3, "hold_seconds": 30, "rest_seconds": 15, "sessions_per_day": 1,
                   "days_per_week": 5, "side": Side.BOTH, "pain_ceiling": 2,
                   "progression_criterion": "A comfortable hold with the hips square; then add lift-offs."},
        "progression": "wall-assisted-pigeon-lift-offs",
        "regression": "glute-biased-er-stretch",
        "progression_note": "",
        "credit": SEED_004 + " The static hold is the first stage of the article's pigeon drill.",
    },
    {
        "slug": "wall-assisted-pigeon-lift-offs",
        "name": "Supported pigeon with lift-offs",
        "summary": "Active lift-offs in the pigeon position that build strength at the end of external rotation.",
        "family": Family.ER_FLEXIBILITY,
        "region": Region.HIP,
        "addresses": [Finding.LOW_ER, Finding.POOR_CONTROL],
        "is_stretch": False,
        "equipment": [Equipment.BENCH, Equipment.WALL],
        "starting_position": ("Set up as for the supported pigeon stretch: front shin across a bench or low surface, "
                              "or against a wall, with the other leg straight behind."),
        "steps": [
            "Lean forwards slightly over the front shin.",
            "Keep the front knee resting down and lift the front ankle a little off the surface by turning the thigh outwards.",
            "Hold the lift for the time given.",
            "Lower the ankle with control and relax for a breath.",
        ],
        "cues": [
            "The knee stays heavy; only the ankle rises.",
            "A small lift is enough.",
            "Breathe through each hold.",
        ],
        "faults": [
            "Lifting the knee along with the ankle.",
            "Twisting the trunk or hitching the pelvis to help.",
            "Dropping the ankle instead of lowering it.",
        ],
        "cautions": [
            "If the buttock cramps, rest and shorten the hold.",
            "Not on a hip that hurts in the pigeon position; start with the supported stretch.",
        ],
        "dosage": {"sets": 1, "reps": 6, "hold_seconds": 5, "rest_seconds": 30, "sessions_per_day": 1,
                   "days_per_week": 4, "side": Side.BOTH, "pain_ceiling": 2,
                   "progression_criterion": "Eight lifts of five seconds with the knee staying down."},
        "progression": None,
        "regression": "wall-assisted-pigeon-stretch",
        "progression_note": "Build from six to eight lifts per side.",
        "credit": SEED_004,
    },
    # --- Hip extension mobility -------------------------------------------------------------------
    {
        "slug": "thomas-position-hip-flexor-stretch",
        "name": "Hip flexor stretch off the end of a bed",
        "summary": "Lets gravity stretch the front of the hip in the position of the Thomas test.",
        "family": Family.EXTENSION_MOBILITY,
        "region": Region.HIP,
        "addresses": [Finding.LIMITED_EXTENSION],
        "is_stretch": True,
        "equipment": [Equipment.BED],
        "starting_position": ("Sit on the very end of a firm bed, then lie back hugging both knees to your chest so "
                              "your buttocks stay at the edge."),
        "steps": [
            "Keep hugging the non-working knee just enough to hold the lower back flat on the bed.",
            "Let go of the working leg and lower it slowly until the thigh hangs over the end of the bed.",
            "Relax the hanging leg, knee bent, and let its weight do the stretching.",
            "Hold, breathing steadily.",
            "To finish, bring both knees back to the chest and roll onto your side before sitting up.",
        ],
        "cues": [
            "The lower back stays flat on the bed.",
            "Let the leg hang; do not push it down.",
            "Keep the hanging thigh in line with the body, not drifting out.",
        ],
        "faults": [
            "Letting go of the other knee so the back arches.",
            "The hanging thigh swinging out to the side.",
            "Straightening the hanging knee.",
        ],
        "cautions": [
            "Use a firm, stable bed or treatment table, never a soft or narrow one.",
            "Get up slowly if you feel light-headed; roll to the side first.",
            "After recent hip or back surgery, ask first.",
        ],
        "dosage": {"sets": 1, "reps": 3, "hold_seconds": 30, "rest_seconds": 15, "sessions_per_day": 1,
                   "days_per_week": 5, "side": Side.BOTH, "pain_ceiling": 2,
                   "progression_criterion": "The thigh rests level with the bed or lower (a Thomas test angle of 0° or more)."},
        "progression": "half-kneeling-hip-flexor-stretch-reach",
        "regression": None,
        "progression_note": "",
        "credit": f"{RUNPHYS}, in the position of the modified Thomas test (clinical reference §1).",
    },
    {
        "slug": "standing-hip-flexor-stretch",
        "name": "Standing split-stance hip flexor stretch",
        "summary": "A standing stretch for the front of the hip, for runners who cannot kneel.",
        "family": Family.EXTENSION_MOBILITY,
        "region": Region.HIP,
        "addresses": [Finding.LIMITED_EXTENSION, Finding.LOW_ER],
        "is_stretch": True,
        "equipment": [Equipment.WALL],
        "starting_position": ("Stand side-on to a wall with one hand on it. Step the working leg back into a long split "
                              "stance with both feet pointing forwards."),
        "steps": [
            "Lift the back heel and keep the back knee almost straight.",
            "Tuck your tail under by squeezing the buttock of the back leg.",
            "Bend the front knee and let the body move forwards until you feel a stretch at the front of the back hip.",
            "Hold, standing tall, then step back to the start.",
        ],
        "cues": [
            "Tail tucked, ribs down.",
            "Move the whole body forwards, not just the knee.",
            "The wall is for balance only.",
        ],
        "faults": [
            "Arching the lower back.",
            "Turning the back foot out.",
            "Leaning the trunk forwards.",
        ],
        "cautions": ["Stop if you feel a pinch at the front of the hip or pain in the lower back."],
        "dosage": {"sets": 1, "reps": 3, "hold_seconds": 30, "rest_seconds": 15, "sessions_per_day": 1,
                   "days_per_week": 5, "side": Side.BOTH, "pain_ceiling": 2,
                   "progression_criterion": "A clear stretch felt with the pelvis tucked throughout."},
        "progression": "half-kneeling-hip-flexor-stretch-reach",
        "regression": None,
        "progression_note": "Reach the arm of the back-leg side overhead to add the upper body, as in the kneeling version.",
        "credit": f"{RUNPHYS}: a standing variant of the hip flexor stretch in seed 002.",
    },
    # --- Control and strength ---------------------------------------------------------------------
    {
        "slug": "single-leg-rotational-hip-control-band",
        "name": "Single-leg rotational hip control with a band",
        "summary": "Upper-body rotation on one leg against a band above the knees, training the hip to hold the knee and pelvis steady.",
        "family": Family.CONTROL_STRENGTH,
        "region": Region.HIP,
        "addresses": [Finding.POOR_CONTROL, Finding.ASYMMETRY],
        "is_stretch": False,
        "equipment": [Equipment.BAND],
        "starting_position": ("Loop a resistance band round both legs just above the knees. Stand on the working leg "
                              "with a slight knee bend, the other foot just off the floor, and your hands together in "
                              "front of your chest."),
        "steps": [
            "Spread your weight through the whole standing foot and press the big toe into the floor.",
            "Push the standing knee out just enough to keep the band taut.",
            "Turn your upper body slowly towards the standing-leg side, then slowly back past the middle to the other side.",
            "Only turn as far as the standing knee and pelvis stay facing forwards.",
            "Return to the middle and reset before the next repetition.",
        ],
        "cues": [
            "Soft bend in the standing knee.",
            "Kneecap and belt buckle keep facing forwards while the chest turns.",
            "Long toes: relax the foot and press the big toe down rather than gripping.",
            "Keep the band taut from start to finish.",
        ],
        "faults": [
            "The standing knee drifting inwards with the band.",
            "The pelvis turning along with the chest.",
            "Clawing the toes.",
            "The hip of the lifted leg dropping.",
        ],
        "cautions": [
            "Not while the standing knee is painful.",
            "If the deep buttock muscles tire quickly or cramp, stop the set and rest; your physio may start you on easier hip work first.",
        ],
        "dosage": {"sets": 3, "reps": 10, "rest_seconds": 45, "sessions_per_day": 1, "days_per_week": 3,
                   "side": Side.BOTH, "tempo": "2-0-2-0", "load": Load.BAND, "band_colour": "red",
                   "pain_ceiling": 2,
                   "progression_criterion": "Three sets of ten with the knee and pelvis still; then a heavier band."},
        "progression": None,
        "regression": "single-leg-stability-hold",
        "progression_note": "Harder with a heavier band or a deeper knee bend.",
        "credit": SEED_000,
    },
    {
        "slug": "hip-external-rotation-bed-edge",
        "name": "Hip external rotations off the edge of a bed",
        "summary": "Side-lying rotations of the straight top leg that build endurance in the hip's external rotators.",
        "family": Family.CONTROL_STRENGTH,
        "region": Region.HIP,
        "addresses": [Finding.POOR_CONTROL],
        "is_stretch": False,
        "equipment": [Equipment.BED],
        "starting_position": ("Lie on your side near the back edge of a firm bed, head resting on your lower arm, "
                              "bottom knee bent for balance. Keep the top leg straight, in line with the body and "
                              "slightly behind it, lifted to hip height."),
        "steps": [
            "Stack your hips one above the other and keep them there.",
            "With the top leg straight and toes pointing forwards, turn the whole leg outwards so the kneecap and toes rotate up towards the ceiling.",
            "Turn it back until the toes point forwards again.",
            "Keep going in a smooth, even rhythm without resting the leg.",
        ],
        "cues": [
            "Turn from the hip; the pelvis does not roll back.",
            "Keep the leg straight and at hip height.",
            "Smooth beats fast.",
        ],
        "faults": [
            "The top hip rolling backwards to help the turn.",
            "The leg drifting forwards in front of the body.",
            "Jerky, uneven repetitions.",
            "Bending the knee.",
        ],
        "cautions": [
            "Early repetitions may feel jerky; that settles with practice.",
            "Stop if you feel a sharp pain in the hip; a pillow under the bottom hip helps if lying on it is sore.",
        ],
        "dosage": {"sets": 3, "reps": 20, "rest_seconds": 60, "sessions_per_day": 1, "days_per_week": 4,
                   "side": Side.BOTH, "load": Load.BODY_WEIGHT, "pain_ceiling": 2,
                   "progression_criterion": ("Build towards 100 continuous smooth repetitions "
                                             "(a clinic milestone, not a published norm).")},
        "progression": "single-leg-rotational-hip-control-band",
        "regression": "clamshell-band",
        "progression_note": "Add repetitions set by set until one continuous set of 100 is smooth.",
        "credit": SEED_003 + " The set-up details are RunPhys's; the article gives the bed, the aim and the milestone.",
    },
    {
        "slug": "clamshell-band",
        "name": "Clamshell with a band",
        "summary": "Side-lying external rotation strength for the hip, with a band above the knees.",
        "family": Family.CONTROL_STRENGTH,
        "region": Region.HIP,
        "addresses": [Finding.POOR_CONTROL],
        "is_stretch": False,
        "equipment": [Equipment.BAND],
        "starting_position": ("Lie on your side on a mat or firm bed with the hips bent to about 45°, the knees bent "
                              "and the heels in line with your spine. Loop a band just above the knees."),
        "steps": [
            "Stack the hips and roll the top hip very slightly forwards.",
            "Keeping the feet together, lift the top knee by turning the thigh outwards against the band.",
            "Lift only as far as the pelvis stays still.",
            "Pause at the top, then lower slowly.",
        ],
        "cues": [
            "Heels stay glued together.",
            "The pelvis stays still; only the knee opens.",
            "Lower more slowly than you lift.",
        ],
        "faults": [
            "Rolling the pelvis backwards to lift higher.",
            "Feet coming apart.",
            "Letting the knee drop down fast.",
        ],
        "cautions": ["If lying on the bottom hip is sore, put a folded towel under it."],
        "dosage": {"sets": 3, "reps": 12, "hold_seconds": 2, "rest_seconds": 45, "sessions_per_day": 1,
                   "days_per_week": 3, "side": Side.BOTH, "tempo": "3-0-1-0", "load": Load.BAND,
                   "band_colour": "yellow", "pain_ceiling": 2,
                   "progression_criterion": "Three sets of twelve with a still pelvis; then a heavier band."},
        "progression": "hip-external-rotation-bed-edge",
        "regression": None,
        "progression_note": "Easier without the band.",
        "credit": f"{RUNPHYS} (side-lying external rotation strength).",
    },
    {
        "slug": "single-leg-bridge",
        "name": "Single-leg bridge",
        "summary": "Lifting the hips on one leg to strengthen the buttock and hold the pelvis level.",
        "family": Family.CONTROL_STRENGTH,
        "region": Region.HIP,
        "addresses": [Finding.POOR_CONTROL, Finding.LIMITED_EXTENSION],
        "is_stretch": False,
        "equipment": [Equipment.NONE],
        "starting_position": ("Lie on your back on a mat with the working knee bent and that foot flat, arms by your "
                              "sides. Lift the other foot and hold that knee above the hip, bent to a right angle."),
        "steps": [
            "Press through the heel of the working foot and lift the hips until shoulders, hips and knee form a line.",
            "Keep the pelvis level as you rise.",
            "Hold at the top for the time given.",
            "Lower slowly to the mat.",
        ],
        "cues": [
            "Push through the heel, not the toes.",
            "Both hip bones stay at the same height.",
            "Finish the lift with the buttock, not by arching the back.",
        ],
        "faults": [
            "The pelvis dropping on the lifted-leg side.",
            "Arching the lower back at the top.",
            "Pushing up with the arms.",
        ],
        "cautions": [
            "If the hamstring cramps, bring the foot closer to the buttock.",
            "Stop if it brings on lower back pain.",
        ],
        "dosage": {"sets": 3, "reps": 10, "hold_seconds": 2, "rest_seconds": 60, "sessions_per_day": 1,
                   "days_per_week": 3, "side": Side.BOTH, "load": Load.BODY_WEIGHT, "pain_ceiling": 2,
                   "progression_criterion": "Three sets of ten with the pelvis level throughout."},
        "progression": None,
        "regression": None,
        "progression_note": "Easier with both feet down; harder with the arms across the chest or the foot on a step.",
        "credit": f"{RUNPHYS} (hip extension strength and pelvic control).",
    },
    {
        "slug": "single-leg-stability-hold",
        "name": "Single-leg stability hold",
        "summary": "Standing on one leg in a running posture with the pelvis level and the knee over the foot.",
        "family": Family.CONTROL_STRENGTH,
        "region": Region.HIP,
        "addresses": [Finding.POOR_CONTROL, Finding.ASYMMETRY],
        "is_stretch": False,
        "equipment": [Equipment.WALL],
        "starting_position": "Stand side-on to a wall with your fingertips resting on it.",
        "steps": [
            "Shift your weight onto the working leg and lift the other knee in front of you, as in mid-stride.",
            "Soften the standing knee and keep it over the second toe.",
            "Hold the pelvis level and the trunk upright.",
            "Take the fingertips off the wall when you can, and hold for the time given.",
        ],
        "cues": [
            "Knee over the second toe.",
            "Belt level, chest tall.",
            "Quiet foot: the big toe stays down.",
        ],
        "faults": [
            "The standing knee falling inwards.",
            "The pelvis dropping on the lifted side.",
            "The trunk leaning over the standing leg.",
        ],
        "cautions": ["Keep the fingertips on the wall if your balance is unsure."],
        "dosage": {"sets": 1, "reps": 3, "hold_seconds": 30, "rest_seconds": 30, "sessions_per_day": 1,
                   "days_per_week": 5, "side": Side.BOTH, "pain_ceiling": 2,
                   "progression_criterion": "Thirty seconds each side without touching the wall."},
        "progression": "single-leg-rotational-hip-control-band",
        "regression": None,
        "progression_note": "Harder with the eyes closed or on a cushion.",
        "credit": SEED_002 + " The article ends with a stability drill without describing it; this version is RunPhys's.",
    },
]

TEMPLATES: list[dict] = [
    {
        "slug": "ir-in-extension-mobility",
        "name": "IR in extension — mobility",
        "description": ("For internal rotation that is low or asymmetric with the hip straight and a firm, pain-free "
                        "end-feel. Gains range lying face down, then uses it standing in the late-stance position."),
        "items": ["prone-hip-internal-rotation-active", "hip-internal-rotation-contract-relax",
                  "split-stance-pelvic-turn", "ninety-ninety-hip-rotations"],
    },
    {
        "slug": "er-and-anterior-hip-flexibility",
        "name": "ER and anterior-hip flexibility",
        "description": ("The sequence for a runner limited in external rotation and extension: a hip flexor stretch with "
                        "the upper body helping, a hamstring-biased and a glute-biased external rotation stretch, then "
                        "a stability drill to finish."),
        "items": ["half-kneeling-hip-flexor-stretch-reach", "hamstring-biased-er-stretch", "glute-biased-er-stretch",
                  "single-leg-stability-hold"],
    },
    {
        "slug": "hip-control-for-runners",
        "name": "Hip control for runners",
        "description": ("For adequate range with poor control: the knee falling in or the pelvis dropping. Builds "
                        "external rotator endurance lying down, then control on one leg."),
        "items": ["clamshell-band", "hip-external-rotation-bed-edge", "single-leg-bridge",
                  "single-leg-rotational-hip-control-band"],
    },
]

CONTENT_FIELDS = ("name", "summary", "region", "family", "addresses", "is_stretch", "equipment", "starting_position", "steps",
                  "cues", "faults", "cautions", "progression_note", "credit")


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    archived: int = 0
    templates: int = 0


def build_exercise(entry: dict, exercise: Exercise | None = None) -> Exercise:
    """An unsaved shipped Exercise holding ``entry``'s content and default dosage."""
    exercise = exercise or Exercise(slug=entry["slug"])
    for name in CONTENT_FIELDS:
        setattr(exercise, name, entry[name])
    defaults = Exercise()  # the model's own defaults for the dosage fields an entry leaves out
    for name in Exercise.DOSAGE_FIELDS:
        setattr(exercise, name, entry["dosage"].get(name, getattr(defaults, name)))
    exercise.illustration = entry["slug"]
    exercise.archived_at = None
    return exercise


@transaction.atomic
def load_library() -> LoadResult:
    result = LoadResult()
    existing = {exercise.slug: exercise for exercise in Exercise.objects.shipped()}
    by_slug: dict[str, Exercise] = {}
    for entry in EXERCISES:
        exercise = build_exercise(entry, existing.get(entry["slug"]))
        is_new = exercise.pk is None
        # Field validators and clean(); the database checks the constraints on save.
        exercise.full_clean(exclude=["progression", "regression"], validate_constraints=False)
        exercise.save()
        by_slug[exercise.slug] = exercise
        result.created += is_new
        result.updated += not is_new
    for entry in EXERCISES:
        exercise = by_slug[entry["slug"]]
        exercise.progression = by_slug[entry["progression"]] if entry["progression"] else None
        exercise.regression = by_slug[entry["regression"]] if entry["regression"] else None
        exercise.save(update_fields=["progression", "regression"])
    retired = Exercise.objects.shipped().active().exclude(slug__in=by_slug)
    result.archived = retired.update(archived_at=timezone.now())

    for entry in TEMPLATES:
        template, _ = ProgramTemplate.objects.update_or_create(
            clinic=None, slug=entry["slug"],
            defaults={"name": entry["name"], "description": entry["description"], "archived_at": None},
        )
        template.items.all().delete()
        items = []
        for order, slug in enumerate(entry["items"]):
            item = ProgramTemplateItem(template=template, exercise=by_slug[slug], order=order)
            item.copy_dosage_from(by_slug[slug])
            item.full_clean(validate_constraints=False)
            items.append(item)
        ProgramTemplateItem.objects.bulk_create(items)
        result.templates += 1
    return result
