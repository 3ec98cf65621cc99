"""Draws the start and end illustrations of the shipped exercises as small SVG figures.

A developer's tool, not used at run time (nothing in the web app imports it): the SVGs are
committed under ``static/exercises/<slug>-start.svg`` and ``-end.svg``, each with a JPEG print
copy under ``static/exercises/print/`` for the PDF handout. Re-draw them after changing a pose
with ``manage.py draw_exercise_pictures`` (which also makes the print copies, and a contact sheet
with ``--contact-sheet``); tests check that the files on disk are what this module draws, and that
each print copy was made from its SVG as it is now (its JPEG comment holds the SVG's SHA-256).

Each picture is a stick figure posed in 3D (centimetres; x forward, y to the figure's left when it
stands facing x, z up), projected orthographically from a chosen viewpoint, with the furniture as
boxes. The working leg is green, the far side of the body is paler, and an orange arrow on the end
picture shows the movement. The output is plain SVG with presentation attributes only: no
scripts, styles, fonts or external references, so it is safe under a strict CSP and in a PDF.
"""

import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

Vec = tuple[float, float, float]

WIDTH, HEIGHT, MARGIN = 320, 240, 14
INK = "#243b53"
INK_FAR = "#9fb3c8"
WORKING = "#0f7a5f"
ARROW = "#d9480f"
BAND = "#d64545"
FURNITURE_EDGE = "#7b8794"
FURNITURE_FILLS = {"top": "#e4e7eb", "side": "#cbd2d9", "end": "#d9dee3"}
FLOOR = "#f0f4f8"
LIMB_WIDTH = 6.0

THIGH, SHIN, FOOT = 44.0, 43.0, 15.0
UPPER_ARM, FOREARM = 29.0, 31.0
TRUNK, NECK, HEAD_RADIUS = 50.0, 6.0, 10.0
HIP_HALF, SHOULDER_HALF = 10.0, 17.0


# --- vector helpers -------------------------------------------------------------------------------

def add(*vectors: Vec) -> Vec:
    return (sum(v[0] for v in vectors), sum(v[1] for v in vectors), sum(v[2] for v in vectors))


def sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def mul(a: Vec, k: float) -> Vec:
    return (a[0] * k, a[1] * k, a[2] * k)


def dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a: Vec, b: Vec) -> Vec:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def length(a: Vec) -> float:
    return math.sqrt(dot(a, a))


def unit(*components: float) -> Vec:
    vector = components[0] if len(components) == 1 else components
    size = length(vector)
    return mul(vector, 1 / size)


def rotate(point: Vec, origin: Vec, axis: Vec, degrees: float) -> Vec:
    """Rodrigues' rotation of ``point`` about the line through ``origin`` along ``axis``."""
    k = unit(axis)
    v = sub(point, origin)
    angle = math.radians(degrees)
    rotated = add(mul(v, math.cos(angle)), mul(cross(k, v), math.sin(angle)),
                  mul(k, dot(k, v) * (1 - math.cos(angle))))
    return add(origin, rotated)


def bend(root: Vec, target: Vec, hint: Vec, first: float, second: float) -> Vec:
    """The middle joint (knee, elbow) of a two-segment limb from ``root`` to ``target``, bending
    toward ``hint``."""
    span = sub(target, root)
    distance = min(length(span), first + second - 0.01)
    axis = unit(span)
    along = (first**2 - second**2 + distance**2) / (2 * distance)
    height = math.sqrt(max(first**2 - along**2, 0.0))
    side = sub(hint, mul(axis, dot(hint, axis)))
    return add(root, mul(axis, along), mul(unit(side), height))


# --- the figure -----------------------------------------------------------------------------------

@dataclass
class Figure:
    """A stick figure. ``facing`` is where the chest points, ``up`` runs from pelvis to head.

    Limbs are given in world coordinates, either as directions (``thigh=``) or as points to reach
    (``ankle=`` with a ``knee_hint`` direction). ``body(f, l, u)`` turns a direction in the
    figure's own frame (forward, left, up) into world coordinates.
    """

    pelvis: Vec
    facing: Vec
    up: Vec
    working: str = "right"
    pelvis_turn: float = 0.0
    trunk: Vec | None = None
    shoulder_turn: float = 0.0
    head: Vec | None = None
    joints: dict[str, Vec] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.facing = unit(self.facing)
        self.up = unit(self.up)
        self.left = cross(self.up, self.facing)
        hip_axis = rotate(self.left, (0, 0, 0), self.up, self.pelvis_turn)
        self.joints["hip_left"] = add(self.pelvis, mul(hip_axis, HIP_HALF))
        self.joints["hip_right"] = add(self.pelvis, mul(hip_axis, -HIP_HALF))
        trunk = unit(self.trunk) if self.trunk else self.up
        neck = add(self.pelvis, mul(trunk, TRUNK))
        self.joints["neck"] = neck
        shoulder_axis = rotate(self.left, (0, 0, 0), trunk, self.shoulder_turn)
        shoulder_base = sub(neck, mul(trunk, 4))
        self.joints["shoulder_left"] = add(shoulder_base, mul(shoulder_axis, SHOULDER_HALF))
        self.joints["shoulder_right"] = add(shoulder_base, mul(shoulder_axis, -SHOULDER_HALF))
        head = unit(self.head) if self.head else trunk
        self.joints["head"] = add(neck, mul(head, NECK + HEAD_RADIUS))

    def body(self, forward: float, left: float, up: float) -> Vec:
        return add(mul(self.facing, forward), mul(self.left, left), mul(self.up, up))

    def outward(self, side: str) -> Vec:
        """Away from the midline on that side."""
        return self.left if side == "left" else mul(self.left, -1)

    def leg(self, side: str, *, thigh: Vec | None = None, knee: Vec | None = None, shin: Vec | None = None,
            ankle: Vec | None = None, knee_hint: Vec | None = None, foot: Vec | None = None) -> None:
        hip = self.joints[f"hip_{side}"]
        if thigh is not None:
            knee = add(hip, mul(unit(thigh), THIGH))
        elif knee is None:
            knee = bend(hip, ankle, knee_hint or self.facing, THIGH, SHIN)
        if shin is not None:
            ankle = add(knee, mul(unit(shin), SHIN))
        self.joints[f"knee_{side}"] = knee
        self.joints[f"ankle_{side}"] = ankle
        self.joints[f"toe_{side}"] = add(ankle, mul(unit(foot or self.facing), FOOT))

    def arm(self, side: str, *, upper: Vec | None = None, fore: Vec | None = None, hand: Vec | None = None,
            elbow_hint: Vec | None = None) -> None:
        shoulder = self.joints[f"shoulder_{side}"]
        if upper is not None:
            elbow = add(shoulder, mul(unit(upper), UPPER_ARM))
            hand = add(elbow, mul(unit(fore or upper), FOREARM))
        else:
            elbow = bend(shoulder, hand, elbow_hint or mul(self.up, -1), UPPER_ARM, FOREARM)
        self.joints[f"elbow_{side}"] = elbow
        self.joints[f"hand_{side}"] = hand

    def thigh_point(self, side: str, fraction: float) -> Vec:
        hip, knee = self.joints[f"hip_{side}"], self.joints[f"knee_{side}"]
        return add(hip, mul(sub(knee, hip), fraction))


# --- scene and rendering --------------------------------------------------------------------------

@dataclass
class Box:
    """Furniture: a solid box (bed, bench, step, wall, mat), with optional legs to the floor."""

    x: tuple[float, float]
    y: tuple[float, float]
    z: tuple[float, float]
    legs: bool = False


@dataclass
class Scene:
    figure: Figure
    props: list[Box] = field(default_factory=list)
    bands: list[tuple[Vec, Vec]] = field(default_factory=list)
    arrow: list[Vec] = field(default_factory=list)
    floor: bool = True


@dataclass
class Camera:
    azimuth: float
    elevation: float

    def __post_init__(self) -> None:
        az, el = math.radians(self.azimuth), math.radians(self.elevation)
        self.towards = (math.cos(el) * math.cos(az), math.cos(el) * math.sin(az), math.sin(el))
        self.right = unit(cross((0, 0, 1), self.towards))
        self.screen_up = cross(self.towards, self.right)

    def project(self, point: Vec) -> tuple[float, float]:
        return dot(point, self.right), -dot(point, self.screen_up)

    def depth(self, point: Vec) -> float:
        """Larger is farther from the viewer."""
        return -dot(point, self.towards)


@dataclass
class Illustration:
    slug: str
    title: str
    camera: Camera
    start: Scene
    end: Scene


def box_faces(box: Box) -> list[tuple[str, Vec, list[Vec]]]:
    (x0, x1), (y0, y1), (z0, z1) = box.x, box.y, box.z
    return [
        ("top", (0, 0, 1), [(x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)]),
        ("side", (0, -1, 0), [(x0, y0, z0), (x1, y0, z0), (x1, y0, z1), (x0, y0, z1)]),
        ("side", (0, 1, 0), [(x0, y1, z0), (x1, y1, z0), (x1, y1, z1), (x0, y1, z1)]),
        ("end", (-1, 0, 0), [(x0, y0, z0), (x0, y1, z0), (x0, y1, z1), (x0, y0, z1)]),
        ("end", (1, 0, 0), [(x1, y0, z0), (x1, y1, z0), (x1, y1, z1), (x1, y0, z1)]),
    ]


def box_points(box: Box) -> list[Vec]:
    return [(x, y, z) for x in box.x for y in box.y for z in (*box.z, 0.0)]


class Canvas:
    """Collects SVG elements in scene coordinates and maps them into the fixed viewBox."""

    def __init__(self, camera: Camera, bounds: tuple[float, float, float, float]) -> None:
        self.camera = camera
        min_x, min_y, max_x, max_y = bounds
        self.scale = min((WIDTH - 2 * MARGIN) / (max_x - min_x), (HEIGHT - 2 * MARGIN) / (max_y - min_y))
        self.offset_x = (WIDTH - (max_x - min_x) * self.scale) / 2 - min_x * self.scale
        self.offset_y = (HEIGHT - (max_y - min_y) * self.scale) / 2 - min_y * self.scale
        self.elements: list[str] = []

    def xy(self, point: Vec) -> tuple[float, float]:
        x, y = self.camera.project(point)
        return x * self.scale + self.offset_x, y * self.scale + self.offset_y

    def points(self, points: Iterable[Vec]) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in map(self.xy, points))

    def polygon(self, points: list[Vec], fill: str, stroke: str = "none", width: float = 1.2) -> None:
        self.elements.append(
            f'<polygon points="{self.points(points)}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>'
        )

    def line(self, a: Vec, b: Vec, colour: str, width: float = LIMB_WIDTH) -> None:
        (x1, y1), (x2, y2) = self.xy(a), self.xy(b)
        self.elements.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
            f'stroke-width="{width:.1f}"/>'
        )

    def circle(self, centre: Vec, radius: float, colour: str) -> None:
        x, y = self.xy(centre)
        self.elements.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius * self.scale:.1f}" fill="{colour}"/>')

    def arrow(self, path: list[Vec]) -> None:
        self.elements.append(
            f'<polyline points="{self.points(path)}" fill="none" stroke="{ARROW}" stroke-width="3" '
            f'stroke-dasharray="7 4"/>'
        )
        (x1, y1), (x2, y2) = self.xy(path[-2]), self.xy(path[-1])
        angle = math.atan2(y2 - y1, x2 - x1)
        tip = (x2 + 5 * math.cos(angle), y2 + 5 * math.sin(angle))
        wings = [(tip[0] - 13 * math.cos(angle + s), tip[1] - 13 * math.sin(angle + s)) for s in (0.45, -0.45)]
        corners = " ".join(f"{x:.1f},{y:.1f}" for x, y in (tip, *wings))
        self.elements.append(f'<polygon points="{corners}" fill="{ARROW}"/>')


FIGURE_SEGMENTS = [
    ("hip_left", "hip_right"), ("shoulder_left", "shoulder_right"),
    ("hip_left", "knee_left"), ("knee_left", "ankle_left"), ("ankle_left", "toe_left"),
    ("hip_right", "knee_right"), ("knee_right", "ankle_right"), ("ankle_right", "toe_right"),
    ("shoulder_left", "elbow_left"), ("elbow_left", "hand_left"),
    ("shoulder_right", "elbow_right"), ("elbow_right", "hand_right"),
]


def scene_points(scene: Scene) -> list[Vec]:
    points = list(scene.figure.joints.values())
    for box in scene.props:
        points.extend(box_points(box))
    points.extend(scene.arrow)
    head = scene.figure.joints["head"]
    points.extend(add(head, offset) for offset in ((0, 0, HEAD_RADIUS), (0, 0, -HEAD_RADIUS),
                                                   (HEAD_RADIUS, HEAD_RADIUS, 0), (-HEAD_RADIUS, -HEAD_RADIUS, 0)))
    return points


def hidden_by(box: Box, a: Vec, b: Vec, camera: Camera) -> bool:
    """Whether the segment's midpoint lies behind the box: inside every plane of the box's faces that
    turn toward the viewer, so the box may cover it."""
    point = mul(add(a, b), 0.5)
    for _, normal, corners in box_faces(box):
        if dot(normal, camera.towards) > 0.01 and dot(normal, sub(point, corners[0])) > -0.5:
            return False
    return True


def draw_box(canvas: Canvas, box: Box) -> None:
    if box.legs:
        inset = 4
        for x in (box.x[0] + inset, box.x[1] - inset):
            for y in (box.y[0] + inset, box.y[1] - inset):
                canvas.line((x, y, 0), (x, y, box.z[0]), FURNITURE_EDGE, 3)
    for kind, normal, corners in box_faces(box):
        if dot(normal, canvas.camera.towards) > 0.01:
            canvas.polygon(corners, FURNITURE_FILLS[kind], FURNITURE_EDGE)


def draw_scene(canvas: Canvas, scene: Scene) -> None:
    camera, figure = canvas.camera, scene.figure
    if scene.floor:
        xs = [p[0] for p in scene_points(scene)]
        ys = [p[1] for p in scene_points(scene)]
        pad = 12
        canvas.polygon([(min(xs) - pad, min(ys) - pad, 0), (max(xs) + pad, min(ys) - pad, 0),
                        (max(xs) + pad, max(ys) + pad, 0), (min(xs) - pad, max(ys) + pad, 0)], FLOOR)
    joints = figure.joints
    near_side = min(("left", "right"), key=lambda s: camera.depth(joints[f"hip_{s}"]))
    pieces: list[tuple[Vec, Vec, Callable[[], None]]] = []
    for a, b in FIGURE_SEGMENTS:
        side = "left" if a.endswith("left") or b.endswith("left") else "right"
        if a.startswith(("hip_left", "shoulder_left")) and b.startswith(("hip_right", "shoulder_right")):
            colour = INK
        elif a.startswith(("hip", "knee", "ankle")) and side == figure.working:
            colour = WORKING
        else:
            colour = INK if side == near_side else INK_FAR
        width = LIMB_WIDTH + 2 if a == "hip_left" and b == "hip_right" else LIMB_WIDTH
        pieces.append((joints[a], joints[b], lambda a=a, b=b, colour=colour, width=width: canvas.line(
            joints[a], joints[b], colour, width)))
    pelvis_mid = mul(add(joints["hip_left"], joints["hip_right"]), 0.5)
    shoulder_mid = mul(add(joints["shoulder_left"], joints["shoulder_right"]), 0.5)
    pieces.append((pelvis_mid, joints["neck"], lambda: canvas.line(pelvis_mid, joints["neck"], INK, LIMB_WIDTH + 1.5)))
    pieces.append((shoulder_mid, joints["neck"], lambda: canvas.line(shoulder_mid, joints["neck"], INK)))
    pieces.append((joints["head"], joints["head"], lambda: canvas.circle(joints["head"], HEAD_RADIUS, INK)))

    def by_depth(piece: tuple[Vec, Vec, Callable[[], None]]) -> float:
        return -(camera.depth(piece[0]) + camera.depth(piece[1])) / 2

    # Painter's order: body parts hidden behind furniture, the furniture, then everything else.
    behind = [piece for piece in pieces if any(hidden_by(box, piece[0], piece[1], camera) for box in scene.props)]
    for _, _, draw in sorted(behind, key=by_depth):
        draw()
    for box in scene.props:
        draw_box(canvas, box)
    for _, _, draw in sorted((piece for piece in pieces if piece not in behind), key=by_depth):
        draw()
    for a, b in scene.bands:
        canvas.line(add(a, (0, 0, 2.5)), add(b, (0, 0, 2.5)), BAND, 2.5)
        canvas.line(add(a, (0, 0, -2.5)), add(b, (0, 0, -2.5)), BAND, 2.5)
    if scene.arrow:
        canvas.arrow(scene.arrow)


def render(illustration: Illustration, position: str) -> str:
    camera = illustration.camera
    projected = [camera.project(p) for scene in (illustration.start, illustration.end) for p in scene_points(scene)]
    bounds = (min(p[0] for p in projected), min(p[1] for p in projected),
              max(p[0] for p in projected), max(p[1] for p in projected))
    canvas = Canvas(camera, bounds)
    draw_scene(canvas, illustration.start if position == "start" else illustration.end)
    label = "start" if position == "start" else "end"
    title = escape(f"{illustration.title}: {label} position")
    body = "\n".join(canvas.elements)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{title}">\n<title>{title}</title>\n'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>\n'
        f'<g stroke-linecap="round" stroke-linejoin="round">\n{body}\n</g>\n</svg>\n'
    )


def arc(centre: Vec, radius: float, axis_a: Vec, axis_b: Vec, start: float, end: float, steps: int = 12) -> list[Vec]:
    """Points on a circular arc in the plane of two unit axes, angles in degrees from axis_a."""
    points = []
    for i in range(steps + 1):
        angle = math.radians(start + (end - start) * i / steps)
        points.append(add(centre, mul(axis_a, radius * math.cos(angle)), mul(axis_b, radius * math.sin(angle))))
    return points


# --- the poses ------------------------------------------------------------------------------------
# Scenes for the 17 shipped exercises. The working side is the figure's right leg unless stated.

BED = Box((20, 190), (-42, 42), (40, 55), legs=True)


def prone(ir_degrees: float, *, strap: bool = False) -> Scene:
    """Face down on a bed, head toward -x, right knee bent to 90°, the shin turned out by the angle."""
    figure = Figure(pelvis=(95, 0, 62), facing=(0, 0, -1), up=(-1, 0, 0), head=(-1, 0, -0.15))
    straight = (1, 0, 0)
    figure.leg("left", thigh=straight, shin=straight, foot=(0.3, 0, -1))
    theta = math.radians(ir_degrees)
    shin = add(mul((0, 0, 1), math.cos(theta)), mul(figure.outward("right"), math.sin(theta)))
    figure.leg("right", thigh=straight, shin=shin, foot=(1, 0, 0.1))
    figure.arm("left", upper=(-0.45, -0.9, 0), fore=(-0.2, 1, 0))
    if strap:
        shoulder = figure.joints["shoulder_right"]
        figure.arm("right", hand=add(shoulder, (22, 22, -5)), elbow_hint=(0, 1, 0.3))
    else:
        figure.arm("right", upper=(-0.45, 0.9, 0), fore=(-0.2, -1, 0))
    scene = Scene(figure, props=[BED])
    if strap:
        scene.bands.append((figure.joints["ankle_right"], figure.joints["hand_right"]))
    return scene


def prone_arrow(figure: Figure, from_degrees: float, to_degrees: float) -> list[Vec]:
    knee = figure.joints["knee_right"]
    return arc(knee, SHIN + 6, (0, 0, 1), figure.outward("right"), from_degrees, to_degrees)


def prone_ir_active() -> Illustration:
    start, end = prone(0), prone(40)
    end.arrow = prone_arrow(end.figure, 5, 38)
    return Illustration("prone-hip-internal-rotation-active", "Prone hip internal rotation, active",
                        Camera(-32, 30), start, end)


def contract_relax() -> Illustration:
    start, end = prone(22, strap=True), prone(42, strap=True)
    end.arrow = prone_arrow(end.figure, 25, 42)
    return Illustration("hip-internal-rotation-contract-relax", "Hip internal rotation contract-relax",
                        Camera(-32, 30), start, end)


WALL_AHEAD = Box((62, 68), (-70, 70), (0, 170))


def split_stance(turn: float) -> Scene:
    """Facing a wall, left foot forward, right foot back; the pelvis turns toward the back leg."""
    figure = Figure(pelvis=(0, 0, 88), facing=(1, 0, 0), up=(0, 0, 1), pelvis_turn=-turn,
                    shoulder_turn=-turn * 0.9)
    figure.leg("left", ankle=(30, 7, 8), knee_hint=(1, 0, 0))
    figure.leg("right", ankle=(-34, -7, 8), knee_hint=(1, 0, 0), foot=(1, 0, -0.3))
    for side, y in (("left", 22), ("right", -22)):
        figure.arm(side, hand=(61, y, 128), elbow_hint=(0, 1 if side == "left" else -1, -0.5))
    return Scene(figure, props=[WALL_AHEAD])


def split_stance_turn() -> Illustration:
    start, end = split_stance(0), split_stance(35)
    pelvis = end.figure.pelvis
    end.arrow = arc(add(pelvis, (0, 0, 8)), 30, (0, -1, 0), (-1, 0, 0), -50, 60)
    return Illustration("split-stance-pelvic-turn", "Split-stance pelvic turn over the back hip",
                        Camera(-130, 45), start, end)


def ninety_ninety(front: str) -> Scene:
    figure = Figure(pelvis=(0, 0, 12), facing=(1, 0, 0), up=(0, 0, 1), trunk=(0.05, 0, 1), working="")
    sign = 1 if front == "left" else -1
    back = "right" if front == "left" else "left"
    figure.leg(front, knee=(36, sign * 24, 5), ankle=(30, -sign * 16, 4), foot=(0.1, -sign, -0.2))
    figure.leg(back, knee=(-2, -sign * 52, 5), ankle=(-42, -sign * 50, 4), foot=(-1, 0, -0.2))
    figure.arm("left", hand=(-26, 24, 1), elbow_hint=(-0.3, 0.4, 0))
    figure.arm("right", hand=(-26, -24, 1), elbow_hint=(-0.3, -0.4, 0))
    return Scene(figure, props=[Box((-70, 70), (-75, 75), (0, 1.5))])


def ninety_ninety_rotations() -> Illustration:
    start, end = ninety_ninety("right"), ninety_ninety("left")
    end.arrow = arc((10, 0, 8), 44, (0, -1, 0), (0, 0, 1), 15, 165)
    return Illustration("ninety-ninety-hip-rotations", "90-90 hip rotations", Camera(-30, 38), start, end)


def standing_cars(phase: str) -> Scene:
    figure = Figure(pelvis=(0, 0, 92), facing=(1, 0, 0), up=(0, 0, 1))
    figure.leg("left", ankle=(0, 9, 8), knee_hint=(1, 0, 0))
    if phase == "front":
        figure.leg("right", thigh=(1, -0.05, 0.05), shin=(0, 0, -1), foot=(1, 0, -0.4))
    else:
        figure.leg("right", thigh=(0.1, -1, 0.05), shin=(0, 0, -1), foot=(0.2, -1, -0.4))
    for side in ("left", "right"):
        hip = figure.joints[f"hip_{side}"]
        figure.arm(side, hand=add(hip, figure.outward(side), mul(figure.outward(side), 5), (0, 0, 4)),
                   elbow_hint=add(figure.outward(side), (-0.6, 0, 0)))
    return Scene(figure)


def standing_hip_cars() -> Illustration:
    start, end = standing_cars("front"), standing_cars("side")
    hip = end.figure.joints["hip_right"]
    end.arrow = arc(add(hip, (0, 0, 10)), 46, (1, 0, 0), (0, -1, 0), 10, 150)
    return Illustration("standing-hip-cars", "Standing hip CARs", Camera(-50, 30), start, end)


CUSHION = Box((-8, 8), (-18, 0), (0, 4))


def half_kneeling(shift: float, reach: bool) -> Scene:
    figure = Figure(pelvis=(shift, 0, 51 - shift * 0.15), facing=(1, 0, 0), up=(0, 0, 1),
                    trunk=(0, 0.28, 1) if reach else (0, 0, 1))
    figure.leg("right", knee=(0, -9, 7), ankle=(-42, -9, 6), foot=(-0.5, 0, -0.8))
    figure.leg("left", ankle=(46, 9, 8), knee_hint=(1, 0, 0.6))
    if reach:
        figure.arm("right", upper=(0.05, 0.35, 1), fore=(0.05, 0.55, 1))
    else:
        figure.arm("right", hand=add(figure.joints["hip_right"], (0, -6, 4)), elbow_hint=(-0.5, -1, 0))
    figure.arm("left", hand=add(figure.joints["hip_left"], (0, 6, 4)), elbow_hint=(-0.5, 1, 0))
    return Scene(figure, props=[CUSHION])


def kneeling_hip_flexor_reach() -> Illustration:
    start, end = half_kneeling(0, False), half_kneeling(13, True)
    hand = end.figure.joints["hand_right"]
    end.arrow = arc(add(hand, (0, 22, -38)), 36, (0, -1, 0), (0, 0, 1), 40, 115)
    return Illustration("half-kneeling-hip-flexor-stretch-reach", "Half-kneeling hip flexor stretch with reach",
                        Camera(-62, 14), start, end)


LOW_BENCH = Box((58, 100), (-30, 12), (0, 42), legs=True)


def hands_on_hips(figure: Figure) -> None:
    for side in ("left", "right"):
        hip = figure.joints[f"hip_{side}"]
        figure.arm(side, hand=add(hip, mul(figure.outward(side), 5), mul(figure.up, 5)),
                   elbow_hint=add(figure.outward(side), mul(figure.facing, -0.6)))


def hamstring_stretch(hinge: float) -> Scene:
    angle = math.radians(hinge)
    figure = Figure(pelvis=(-hinge * 0.15, 0, 93), facing=(1, 0, 0), up=(0, 0, 1),
                    trunk=(math.sin(angle), 0, math.cos(angle)))
    figure.leg("left", ankle=(0, 9, 8), knee_hint=(1, 0, 0))
    figure.leg("right", ankle=(74, -13, 47), knee_hint=(0, 0, 1), foot=(0.25, -0.6, 0.8))
    hands_on_hips(figure)
    return Scene(figure, props=[LOW_BENCH])


def hamstring_biased_er_stretch() -> Illustration:
    start, end = hamstring_stretch(0), hamstring_stretch(42)
    neck = end.figure.joints["neck"]
    end.arrow = arc(end.figure.pelvis, length(sub(neck, end.figure.pelvis)) + 16, (0, 0, 1), (1, 0, 0), 2, 40)
    return Illustration("hamstring-biased-er-stretch", "Hamstring-biased external rotation stretch",
                        Camera(-58, 16), start, end)


SEAT = Box((-25, 22), (-28, 28), (0, 44), legs=True)


def figure_four(lean: float) -> Scene:
    angle = math.radians(lean)
    figure = Figure(pelvis=(0, 0, 50), facing=(1, 0, 0), up=(0, 0, 1), trunk=(math.sin(angle), 0, math.cos(angle)))
    figure.leg("left", knee=(43, 9, 50), ankle=(46, 9, 8), foot=(1, 0, -0.3))
    figure.leg("right", knee=(36, -33, 60), ankle=(43, 9, 57), foot=(0.1, 1, 0.3))
    figure.arm("right", hand=(37, -30, 66), elbow_hint=(0, -1, 0))
    figure.arm("left", hand=(43, 5, 63), elbow_hint=(0, 1, 0))
    return Scene(figure, props=[SEAT])


def glute_biased_er_stretch() -> Illustration:
    start, end = figure_four(0), figure_four(38)
    end.arrow = arc(end.figure.pelvis, 70, (0, 0, 1), (1, 0, 0), 4, 38)
    return Illustration("glute-biased-er-stretch", "Glute-biased external rotation stretch (seated figure-4)",
                        Camera(-35, 28), start, end)


TABLE = Box((32, 78), (-48, 42), (0, 60), legs=True)


def pigeon(lean: float, ankle_lift: float = 0.0) -> Scene:
    angle = math.radians(lean)
    figure = Figure(pelvis=(8, 0, 91), facing=(1, 0, 0), up=(0, 0, 1), trunk=(math.sin(angle), 0, math.cos(angle)))
    figure.leg("right", knee=(42, -26, 64), ankle=(46, 17, 64 + ankle_lift), foot=(0.1, 1, 0.2))
    figure.leg("left", ankle=(-14, 9, 8), knee_hint=(1, 0, 0))
    reach = 40 + lean * 0.5
    figure.arm("left", hand=(min(reach, 74), 24, 61), elbow_hint=(0, 1, -0.2))
    figure.arm("right", hand=(min(reach, 74), -34, 61), elbow_hint=(0, -1, -0.2))
    return Scene(figure, props=[TABLE])


def wall_assisted_pigeon_stretch() -> Illustration:
    start, end = pigeon(5), pigeon(45)
    end.arrow = arc(end.figure.pelvis, 68, (0, 0, 1), (1, 0, 0), 8, 44)
    return Illustration("wall-assisted-pigeon-stretch", "Supported pigeon stretch", Camera(-105, 25), start, end)


def pigeon_lift_offs() -> Illustration:
    start, end = pigeon(20), pigeon(20, ankle_lift=14)
    ankle = end.figure.joints["ankle_right"]
    end.arrow = [add(ankle, (6, 0, -8)), add(ankle, (6, 0, 4)), add(ankle, (6, 0, 14))]
    return Illustration("wall-assisted-pigeon-lift-offs", "Supported pigeon with lift-offs", Camera(-60, 10),
                        start, end)


def thomas(lowered: bool) -> Scene:
    """On the back at the end of a bed, head toward +x; right leg working."""
    figure = Figure(pelvis=(6, 0, 62), facing=(0, 0, 1), up=(1, 0, 0), head=(1, 0, 0.1))
    hug_thigh = unit(0.55, 0, 0.85)
    figure.leg("left", thigh=hug_thigh, shin=(-1, 0, 0.25), foot=(-0.2, 0, 1))
    if lowered:
        figure.leg("right", thigh=(-1, 0, -0.42), shin=(-0.1, 0, -1), foot=(-1, 0, 0.1))
    else:
        figure.leg("right", thigh=hug_thigh, shin=(-1, 0, 0.25), foot=(-0.2, 0, 1))
    knee_left = figure.joints["knee_left"]
    figure.arm("left", hand=add(knee_left, (-4, -4, 2)), elbow_hint=(0, -1, 0.3))
    if lowered:
        figure.arm("right", hand=add(knee_left, (-4, 4, 2)), elbow_hint=(0, 1, 0.3))
    else:
        figure.arm("right", hand=add(figure.joints["knee_right"], (-4, 4, 2)), elbow_hint=(0, 1, 0.3))
    return Scene(figure, props=[Box((0, 190), (-42, 42), (40, 55), legs=True)])


def thomas_hip_flexor_stretch() -> Illustration:
    start, end = thomas(False), thomas(True)
    hip = end.figure.joints["hip_right"]
    end.arrow = arc(hip, THIGH + 14, (0, 0, 1), (-1, 0, 0), 35, 108)
    return Illustration("thomas-position-hip-flexor-stretch", "Hip flexor stretch off the end of a bed",
                        Camera(78, 10), start, end)


WALL_LEFT = Box((-80, 80), (40, 46), (0, 170))


def standing_lunge_stretch(shift: float) -> Scene:
    figure = Figure(pelvis=(shift, 0, 86 - shift * 0.25), facing=(1, 0, 0), up=(0, 0, 1))
    figure.leg("left", ankle=(38, 9, 8), knee_hint=(1, 0, 0))
    figure.leg("right", ankle=(-44, -9, 12 if shift else 8), knee_hint=(1, 0, 0),
               foot=(0.5, 0, -0.85) if shift else (1, 0, -0.3))
    figure.arm("left", hand=(shift + 4, 39, 118), elbow_hint=(0, 0.5, -1))
    figure.arm("right", hand=add(figure.joints["hip_right"], (0, -5, 5)), elbow_hint=(-0.5, -1, 0))
    return Scene(figure, props=[WALL_LEFT])


def standing_hip_flexor_stretch() -> Illustration:
    start, end = standing_lunge_stretch(0), standing_lunge_stretch(16)
    pelvis = end.figure.pelvis
    end.arrow = [add(pelvis, (-24, -20, 16)), add(pelvis, (-8, -20, 16)), add(pelvis, (8, -20, 16))]
    return Illustration("standing-hip-flexor-stretch", "Standing split-stance hip flexor stretch",
                        Camera(-82, 12), start, end)


def band_stance(turn: float) -> Scene:
    figure = Figure(pelvis=(0, 0, 90), facing=(1, 0, 0), up=(0, 0, 1), shoulder_turn=-turn)
    figure.leg("right", ankle=(0, -9, 8), knee_hint=(1, 0, 0))
    figure.leg("left", thigh=(0.6, 0.05, -0.8), shin=(-0.35, 0, -0.95), foot=(1, 0, -0.5))
    shoulders = figure.joints
    chest = add(mul(add(shoulders["shoulder_left"], shoulders["shoulder_right"]), 0.5), (0, 0, -6))
    front = rotate((1, 0, 0), (0, 0, 0), (0, 0, 1), -turn)
    for side in ("left", "right"):
        figure.arm(side, hand=add(chest, mul(front, 24)), elbow_hint=add(figure.outward(side), (0, 0, -0.6)))
    scene = Scene(figure)
    scene.bands.append((figure.thigh_point("left", 0.82), figure.thigh_point("right", 0.82)))
    return scene


def single_leg_rotational_control() -> Illustration:
    start, end = band_stance(0), band_stance(35)
    neck = end.figure.joints["neck"]
    end.arrow = arc(add(neck, (0, 0, 12)), 34, (1, 0, 0), (0, -1, 0), 5, 55)
    return Illustration("single-leg-rotational-hip-control-band", "Single-leg rotational hip control with a band",
                        Camera(-22, 24), start, end)


def side_lying(clamshell: bool, opened: bool) -> Scene:
    """On the left side on a bed, head toward +x, facing -y (toward the viewer)."""
    figure = Figure(pelvis=(90, 8, 66), facing=(0, -1, 0), up=(1, 0, 0), head=(1, 0, 0.25))
    if clamshell:
        thigh, shin = figure.body(0.7, 0, -0.7), figure.body(-0.75, 0, -0.65)
        figure.leg("left", thigh=thigh, shin=shin, foot=figure.body(0, 0, -1))
        figure.leg("right", thigh=thigh, shin=shin, foot=figure.body(0, 0, -1))
        if opened:
            hip, ankle = figure.joints["hip_right"], figure.joints["ankle_right"]
            figure.joints["knee_right"] = rotate(figure.joints["knee_right"], hip, sub(ankle, hip), -42)
    else:
        figure.leg("left", thigh=figure.body(0.6, 0, -0.8), shin=figure.body(-0.7, 0, -0.7),
                   foot=figure.body(0, 0, -1))
        line = figure.body(-0.12, 0, -1)
        foot = (0, 0, 1) if opened else figure.body(1, 0, -0.25)
        figure.leg("right", thigh=line, shin=line, foot=foot)
    figure.arm("left", upper=figure.body(0.2, 0, 1), fore=figure.body(0.2, -0.5, -0.6))
    figure.arm("right", hand=add(figure.pelvis, figure.body(22, 0, 30), (0, 0, -13)),
               elbow_hint=figure.body(0.3, 1, 0))
    scene = Scene(figure, props=[Box((-10, 170), (-40, 40), (40, 55), legs=True)])
    if clamshell:
        scene.bands.append((figure.thigh_point("left", 0.85), figure.thigh_point("right", 0.85)))
    return scene


def hip_external_rotation_bed_edge() -> Illustration:
    start, end = side_lying(False, False), side_lying(False, True)
    ankle = end.figure.joints["ankle_right"]
    end.arrow = arc(ankle, 16, (0, -1, 0), (0, 0, 1), 0, 85)
    return Illustration("hip-external-rotation-bed-edge", "Hip external rotations off the edge of a bed",
                        Camera(-130, 30), start, end)


def clamshell() -> Illustration:
    start, end = side_lying(True, False), side_lying(True, True)
    knee = end.figure.joints["knee_right"]
    end.arrow = [add(knee, (0, -4, -18)), add(knee, (0, -6, -8)), add(knee, (0, -6, 4))]
    return Illustration("clamshell-band", "Clamshell with a band", Camera(-62, 34), start, end)


def bridge(lifted: bool) -> Scene:
    """On the back on a mat, head toward -x; right foot planted, left knee held above the hip."""
    pelvis = (-4, 0, 36) if lifted else (0, 0, 7)
    neck = (-56, 0, 8)
    figure = Figure(pelvis=pelvis, facing=(0, 0, 1), up=(-1, 0, 0), trunk=sub(neck, pelvis), head=(-1, 0, 0.05))
    figure.leg("right", ankle=(40, -9, 8), knee_hint=(0, 0, 1), foot=(1, 0, -0.3))
    trunk = unit(sub(neck, pelvis))
    thigh = unit(add(mul(trunk, -0.05), (0, 0, 1)))
    figure.leg("left", thigh=thigh, shin=(1, 0, 0.05), foot=(0.3, 0, 1))
    figure.arm("left", hand=(pelvis[0] - 10, 26, 3), elbow_hint=(0, 1, 0.2))
    figure.arm("right", hand=(pelvis[0] - 10, -26, 3), elbow_hint=(0, -1, 0.2))
    return Scene(figure, props=[Box((-95, 70), (-40, 40), (0, 1.5))])


def single_leg_bridge() -> Illustration:
    start, end = bridge(False), bridge(True)
    end.arrow = [(-4, -16, 4), (-4, -16, 18), (-4, -16, 32)]
    return Illustration("single-leg-bridge", "Single-leg bridge", Camera(-78, 12), start, end)


def balance(one_leg: bool) -> Scene:
    figure = Figure(pelvis=(0, 0, 91), facing=(1, 0, 0), up=(0, 0, 1))
    figure.leg("right", ankle=(0, -9, 8), knee_hint=(1, 0, 0))
    if one_leg:
        figure.leg("left", thigh=(0.75, 0, -0.65), shin=(-0.2, 0, -1), foot=(1, 0, -0.4))
        figure.arm("left", hand=(6, 34, 104), elbow_hint=(0, 1, -0.4))
    else:
        figure.leg("left", ankle=(0, 9, 8), knee_hint=(1, 0, 0))
        figure.arm("left", hand=(6, 39, 106), elbow_hint=(0, 1, -0.4))
    figure.arm("right", hand=add(figure.joints["hip_right"], (0, -5, 5)), elbow_hint=(-0.5, -1, 0))
    return Scene(figure, props=[WALL_LEFT])


def single_leg_stability_hold() -> Illustration:
    start, end = balance(False), balance(True)
    knee = end.figure.joints["knee_left"]
    end.arrow = [add(knee, (6, 10, -34)), add(knee, (8, 10, -20)), add(knee, (8, 10, -6))]
    return Illustration("single-leg-stability-hold", "Single-leg stability hold", Camera(-55, 14), start, end)


ILLUSTRATIONS: list[Callable[[], Illustration]] = [
    prone_ir_active, contract_relax, split_stance_turn, ninety_ninety_rotations, standing_hip_cars,
    kneeling_hip_flexor_reach, hamstring_biased_er_stretch, glute_biased_er_stretch, wall_assisted_pigeon_stretch,
    pigeon_lift_offs, thomas_hip_flexor_stretch, standing_hip_flexor_stretch, single_leg_rotational_control,
    hip_external_rotation_bed_edge, clamshell, single_leg_bridge, single_leg_stability_hold,
]

def drawings() -> dict[str, str]:
    """File name -> SVG text for every shipped illustration."""
    files = {}
    for make in ILLUSTRATIONS:
        illustration = make()
        for position in ("start", "end"):
            files[f"{illustration.slug}-{position}.svg"] = render(illustration, position)
    return files


def svg_digest(svg: str) -> str:
    """What a print copy's JPEG comment holds: the SHA-256 of the SVG it was made from."""
    return hashlib.sha256(svg.encode("utf-8")).hexdigest()


def print_copy_name(svg_name: str) -> str:
    return svg_name.removesuffix(".svg") + ".jpg"
