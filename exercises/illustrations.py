"""Draws the start and end illustrations of the shipped exercises as small SVG figures.

A developer's tool, not used at run time (nothing in the web app imports it): the SVGs are
committed under ``static/exercises/<slug>-start.svg`` and ``-end.svg``, each with a JPEG print
copy under ``static/exercises/print/`` for the PDF handout. Re-draw them after changing a pose
with ``manage.py draw_exercise_pictures`` (which also makes the print copies, and a contact sheet
with ``--contact-sheet``); tests check that the files on disk are what this module draws, and that
each print copy was made from its SVG as it is now (its JPEG comment holds the SVG's SHA-256).

Each picture is a figure posed in 3D (centimetres; x forward, y to the figure's left when it
stands facing x, z up) and projected orthographically from a viewpoint chosen for the exercise.
The body has volume: limbs are tapered capsules (a thick thigh narrowing to the knee, the calf to
the ankle, upper arm and forearm, hands and feet), the chest and pelvis are hulls of elliptical
rings, the head a ball with a nose that shows where it looks, and a buckle on the pelvis shows
where the pelvis faces. Parts are painted far to near, so near limbs cover far ones; a thin white
edge keeps overlapping parts apart, while a limb's own joints show no seam. The far arm and leg
are paler, the working leg is green (both legs when both work), and the end picture shows the
start position as a faint ghost under an orange arrow of the movement. Furniture is boxes (a bed
or bench with legs, a wall with its skirting board, a mat), a band is a loop round the thighs.

Drawing from poses in code rather than by hand keeps the pictures consistent with each other,
deterministic (the same bytes on every run, so tests can compare them with the files on disk) and
easy to change: a pose is a few joint positions. The output is plain SVG with presentation
attributes only (path, circle, polygon, polyline, line, rect and g): no scripts, styles, classes,
fonts or external references, so it is safe under a strict CSP and in a PDF.
"""

import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

Vec = tuple[float, float, float]

THIGH, SHIN, FOOT = 44.0, 43.0, 17.0
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
    """A figure's skeleton: joints in 3D. ``facing`` is where the chest points, ``up`` runs from pelvis to head.

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
        self.hip_axis = hip_axis
        self.joints["hip_left"] = add(self.pelvis, mul(hip_axis, HIP_HALF))
        self.joints["hip_right"] = add(self.pelvis, mul(hip_axis, -HIP_HALF))
        trunk = unit(self.trunk) if self.trunk else self.up
        neck = add(self.pelvis, mul(trunk, TRUNK))
        self.joints["neck"] = neck
        shoulder_axis = rotate(self.left, (0, 0, 0), trunk, self.shoulder_turn)
        self.trunk_axis = trunk
        self.shoulder_axis = unit(sub(shoulder_axis, mul(trunk, dot(shoulder_axis, trunk))))
        shoulder_base = sub(neck, mul(trunk, 4))
        self.joints["shoulder_left"] = add(shoulder_base, mul(shoulder_axis, SHOULDER_HALF))
        self.joints["shoulder_right"] = add(shoulder_base, mul(shoulder_axis, -SHOULDER_HALF))
        head = unit(self.head) if self.head else trunk
        self.joints["head"] = add(neck, mul(head, NECK + HEAD_RADIUS))
        # Where the face looks: the chest's forward direction, square to the head's axis.
        chest_forward = cross(self.shoulder_axis, trunk)
        self.face = unit(sub(chest_forward, mul(head, dot(chest_forward, head))))

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


# --- scene ----------------------------------------------------------------------------------------

@dataclass
class Box:
    """Furniture: a solid box (bed, bench, step, wall, mat), with optional legs to the floor."""

    x: tuple[float, float]
    y: tuple[float, float]
    z: tuple[float, float]
    legs: bool = False
    wall: bool = False


@dataclass
class Scene:
    figure: Figure
    props: list[Box] = field(default_factory=list)
    bands: list[float] = field(default_factory=list)  # a band round both thighs, this far from hip to knee
    straps: list[tuple[Vec, Vec]] = field(default_factory=list)
    arrow: list[Vec] = field(default_factory=list)


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


# --- the body as solids ---------------------------------------------------------------------------
# Limbs are tapered capsules (the hull of two balls, which projects to the hull of two circles),
# the chest and pelvis are hulls of elliptical rings, the head a ball. Radii in centimetres.

THIGH_RADII, SHIN_RADII = (8.0, 5.2), (5.0, 5.5, 3.2)  # hip, knee; knee, calf, ankle
FOOT_RADII = (3.8, 2.6)  # heel, toes
UPPER_ARM_RADII, FOREARM_RADII, HAND_RADII = (4.6, 3.4), (3.3, 2.5), (3.3, 2.9)
NECK_RADIUS = 4.3
# (distance from the pelvis along the body's axis, half width, half depth) of the rings.
PELVIS_RINGS = ((9.0, 13.0, 9.0), (0.0, 16.5, 10.5), (-7.0, 14.5, 9.5))
CHEST_RINGS = ((12.0, 13.5, 9.0), (34.0, 16.5, 11.0), (TRUNK - 5, 17.0, 9.0), (TRUNK - 1, 9.0, 6.0))


@dataclass
class Capsule:
    a: Vec
    b: Vec
    ra: float
    rb: float


@dataclass
class Hull:
    points: list[Vec]


@dataclass
class Ball:
    centre: Vec
    radius: float


Solid = Capsule | Hull | Ball


@dataclass
class Part:
    """One solid of the body. Parts of the same ``chain`` (a limb, the trunk, the head) that follow
    each other in drawing order share one outline, so a knee or an elbow shows no seam."""

    name: str
    chain: str
    side: str  # "left", "right" or "" for the midline
    solid: Solid


def ring(centre: Vec, lateral: Vec, forward: Vec, half_width: float, half_depth: float, steps: int = 16) -> list[Vec]:
    return [add(centre, mul(lateral, half_width * math.cos(2 * math.pi * i / steps)),
                mul(forward, half_depth * math.sin(2 * math.pi * i / steps))) for i in range(steps)]


def rings(base: Vec, axis: Vec, lateral: Vec, shape: Iterable[tuple[float, float, float]]) -> Hull:
    """The hull of elliptical rings stacked along ``axis`` from ``base``."""
    forward = cross(lateral, axis)
    return Hull([point for along, width, depth in shape
                 for point in ring(add(base, mul(axis, along)), lateral, forward, width, depth)])


def lerp(a: Vec, b: Vec, fraction: float) -> Vec:
    return add(a, mul(sub(b, a), fraction))


def pelvis_front(figure: Figure) -> Vec:
    return cross(figure.hip_axis, figure.up)


def body_parts(figure: Figure) -> list[Part]:
    j = figure.joints
    head, trunk, hips = j["head"], figure.trunk_axis, figure.hip_axis
    waist_height, _, waist_depth = PELVIS_RINGS[0]
    buckle = add(figure.pelvis, mul(pelvis_front(figure), waist_depth + 0.8), mul(figure.up, waist_height - 1))
    parts = [
        Part("pelvis", "trunk", "", rings(figure.pelvis, figure.up, hips, PELVIS_RINGS)),
        # A belt buckle on the front of the pelvis shows which way the pelvis faces.
        Part("buckle", "buckle", "", Capsule(sub(buckle, mul(hips, 2.2)), add(buckle, mul(hips, 2.2)), 2.0, 2.0)),
        Part("chest", "trunk", "", rings(figure.pelvis, trunk, figure.shoulder_axis, CHEST_RINGS)),
        Part("neck", "trunk", "", Capsule(sub(j["neck"], mul(trunk, 3)), head, NECK_RADIUS, NECK_RADIUS - 0.5)),
        Part("head", "head", "", Ball(head, HEAD_RADIUS)),
        # A nose: seen from the side, it shows which way the head looks.
        Part("nose", "head", "", Capsule(add(head, mul(figure.face, 7.0)), add(head, mul(figure.face, 10.8)),
                                         2.2, 1.5)),
    ]
    for side in ("left", "right"):
        hip, knee, ankle, toe = (j[f"{name}_{side}"] for name in ("hip", "knee", "ankle", "toe"))
        calf = lerp(knee, ankle, 0.3)
        heel = sub(ankle, mul(unit(sub(toe, ankle)), 3.0))
        shoulder, elbow, hand = (j[f"{name}_{side}"] for name in ("shoulder", "elbow", "hand"))
        fingers = add(hand, mul(unit(sub(hand, elbow)), 5.0))
        leg, arm = f"leg_{side}", f"arm_{side}"
        parts += [
            Part(f"thigh_{side}", leg, side, Capsule(hip, knee, *THIGH_RADII)),
            Part(f"knee_{side}", leg, side, Capsule(knee, calf, SHIN_RADII[0], SHIN_RADII[1])),
            Part(f"shin_{side}", leg, side, Capsule(calf, ankle, SHIN_RADII[1], SHIN_RADII[2])),
            Part(f"foot_{side}", leg, side, Capsule(heel, toe, *FOOT_RADII)),
            Part(f"upper_arm_{side}", arm, side, Capsule(shoulder, elbow, *UPPER_ARM_RADII)),
            Part(f"forearm_{side}", arm, side, Capsule(elbow, hand, *FOREARM_RADII)),
            Part(f"hand_{side}", arm, side, Capsule(hand, fingers, *HAND_RADII)),
        ]
    return parts


def solid_points(solid: Solid) -> list[Vec]:
    if isinstance(solid, Capsule):
        return [solid.a, solid.b]
    if isinstance(solid, Hull):
        return solid.points
    return [solid.centre]


def centroid(points: list[Vec]) -> Vec:
    return mul(add(*points), 1 / len(points))


def thigh_radius(fraction: float) -> float:
    return THIGH_RADII[0] + (THIGH_RADII[1] - THIGH_RADII[0]) * fraction


def band_loop(figure: Figure, fraction: float, steps: int = 10) -> list[Vec]:
    """A band round both thighs at ``fraction`` of the way from hip to knee, hugging their far sides."""
    a, b = figure.thigh_point("left", fraction), figure.thigh_point("right", fraction)
    along = unit(add(sub(figure.joints["knee_left"], figure.joints["hip_left"]),
                     sub(figure.joints["knee_right"], figure.joints["hip_right"])))
    across = sub(b, a)
    u = unit(sub(across, mul(along, dot(across, along))))
    v = cross(along, u)
    radius = thigh_radius(fraction) + 0.6
    loop = []
    for centre, offset in ((b, -90.0), (a, 90.0)):
        for i in range(steps + 1):
            angle = math.radians(offset + 180.0 * i / steps)
            loop.append(add(centre, mul(u, radius * math.cos(angle)), mul(v, radius * math.sin(angle))))
    return loop


# --- drawing --------------------------------------------------------------------------------------

WIDTH, HEIGHT, MARGIN = 320, 240, 12
PAPER = "#ffffff"
TONES = {  # fill of each kind of part
    "near": "#334e68", "far": "#9fb3c8", "trunk": "#486581", "shorts": "#243b53", "buckle": "#d9e2ec",
    "head": "#334e68",
    "working": "#0f7a5f", "working_far": "#2f9474",
}
OUTLINE_WIDTH = 2.4  # half of it shows: a white gap between overlapping parts
GHOST_FILL = "#d9e1e9"
ARROW = "#e8590c"
BAND, BAND_WIDTH = "#c2255c", 2.2  # width in centimetres
FURNITURE_FILLS = {"top": "#e4e7eb", "side": "#cbd2d9", "end": "#d9dee3"}
MAT = "#eef1f4"
WALL_FILLS = {"top": "#d9dee3", "side": "#e8ecf0", "end": "#dfe4e9"}
LEG_COLOUR = "#9aa5b1"
SHADOW = "#e9edf1"


def fmt(value: float) -> str:
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def hull_2d(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain; counter-clockwise in screen coordinates, no repeated points."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def turn(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and turn(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and turn(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


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
        return " ".join(f"{fmt(x)},{fmt(y)}" for x, y in map(self.xy, points))

    def polygon(self, points: list[Vec], fill: str) -> None:
        self.elements.append(f'<polygon points="{self.points(points)}" fill="{fill}"/>')

    def line(self, a: Vec, b: Vec, colour: str, width: float) -> None:
        (x1, y1), (x2, y2) = self.xy(a), self.xy(b)
        self.elements.append(
            f'<line x1="{fmt(x1)}" y1="{fmt(y1)}" x2="{fmt(x2)}" y2="{fmt(y2)}" stroke="{colour}" '
            f'stroke-width="{fmt(width)}"/>'
        )

    def outline(self, solid: Solid) -> str:
        """The SVG of a solid's silhouette: a path, or a circle for a ball."""
        if isinstance(solid, Ball):
            x, y = self.xy(solid.centre)
            return f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{fmt(solid.radius * self.scale)}"/>'
        if isinstance(solid, Hull):
            return f'<path d="{smooth_closed(hull_2d([self.xy(p) for p in solid.points]))}"/>'
        a, b, ra, rb = self.xy(solid.a), self.xy(solid.b), solid.ra * self.scale, solid.rb * self.scale
        return f'<path d="{capsule_path(a, b, ra, rb)}"/>'

    def arrow(self, path: list[Vec]) -> None:
        """A solid arrow along the path with a white edge, so it reads over the figure."""
        points = self.points(path)
        (x1, y1), (x2, y2) = self.xy(path[-2]), self.xy(path[-1])
        angle = math.atan2(y2 - y1, x2 - x1)
        tip = (x2 + 7 * math.cos(angle), y2 + 7 * math.sin(angle))
        wings = [(tip[0] - 14 * math.cos(angle + s), tip[1] - 14 * math.sin(angle + s)) for s in (0.5, -0.5)]
        corners = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in (tip, *wings))
        self.elements.append(
            f'<g stroke="{PAPER}" stroke-width="7" fill="{PAPER}"><polyline points="{points}" fill="none"/>'
            f'<polygon points="{corners}" stroke-width="4"/></g>'
            f'<g stroke="{ARROW}" fill="{ARROW}"><polyline points="{points}" fill="none" stroke-width="3.4"/>'
            f'<polygon points="{corners}" stroke-width="1"/></g>'
        )


def capsule_path(a: tuple[float, float], b: tuple[float, float], ra: float, rb: float) -> str:
    """The outline of the hull of two circles: two tangent lines and two arcs."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    distance = math.hypot(dx, dy)
    if distance <= abs(ra - rb) + 0.05:
        (x, y), r = (a, ra) if ra >= rb else (b, rb)
        return (f"M{fmt(x - r)},{fmt(y)}A{fmt(r)},{fmt(r)} 0 1 0 {fmt(x + r)},{fmt(y)}"
                f"A{fmt(r)},{fmt(r)} 0 1 0 {fmt(x - r)},{fmt(y)}Z")
    theta = math.atan2(dy, dx)
    alpha = math.acos((ra - rb) / distance)

    def at(centre, r, angle):
        return f"{fmt(centre[0] + r * math.cos(angle))},{fmt(centre[1] + r * math.sin(angle))}"

    return (f"M{at(a, ra, theta + alpha)}L{at(b, rb, theta + alpha)}"
            f"A{fmt(rb)},{fmt(rb)} 0 {int(alpha > math.pi / 2)} 0 {at(b, rb, theta - alpha)}"
            f"L{at(a, ra, theta - alpha)}"
            f"A{fmt(ra)},{fmt(ra)} 0 {int(alpha < math.pi / 2)} 0 {at(a, ra, theta + alpha)}Z")


def smooth_closed(points: list[tuple[float, float]]) -> str:
    """A closed curve through the midpoints of a polygon's sides, bending at its corners."""
    mids = [((x1 + x2) / 2, (y1 + y2) / 2) for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)]
    path = [f"M{fmt(mids[-1][0])},{fmt(mids[-1][1])}"]
    for (cx, cy), (mx, my) in zip(points, mids, strict=True):
        path.append(f"Q{fmt(cx)},{fmt(cy)} {fmt(mx)},{fmt(my)}")
    return "".join(path) + "Z"


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


def hidden_by(box: Box, point: Vec, camera: Camera) -> bool:
    """Whether the point lies behind the box: inside every plane of the box's faces that turn toward
    the viewer, so the box may cover it."""
    for _, normal, corners in box_faces(box):
        if dot(normal, camera.towards) > 0.01 and dot(normal, sub(point, corners[0])) > -0.5:
            return False
    return True


def draw_box(canvas: Canvas, box: Box) -> None:
    if box.legs:
        inset = 4
        for x in (box.x[0] + inset, box.x[1] - inset):
            for y in (box.y[0] + inset, box.y[1] - inset):
                canvas.line((x, y, 0), (x, y, box.z[0]), LEG_COLOUR, 3.5)
    if box.z[1] - box.z[0] < 3:  # a mat: its top is all that shows
        canvas.polygon(box_faces(box)[0][2], MAT)
        return
    for kind, normal, corners in box_faces(box):
        if dot(normal, canvas.camera.towards) > 0.01:
            canvas.polygon(corners, (WALL_FILLS if box.wall else FURNITURE_FILLS)[kind])


@dataclass
class Piece:
    """Something to paint in depth order: a body part, a stretch of band."""

    depth: float
    chain: str
    fill: str
    svg: str
    behind: bool = False


def tone(part: Part, figure: Figure, near_legs: str, near_arms: str) -> str:
    if part.chain.startswith("leg") and figure.working in (part.side, "both"):
        return TONES["working" if part.side == near_legs else "working_far"]
    if part.chain.startswith("leg"):
        return TONES["near" if part.side == near_legs else "far"]
    if part.chain.startswith("arm"):
        return TONES["near" if part.side == near_arms else "far"]
    if part.name == "pelvis":
        return TONES["shorts"]
    if part.name == "buckle":
        return TONES["buckle"]
    return TONES["head" if part.chain == "head" else "trunk"]


def figure_pieces(canvas: Canvas, scene: Scene) -> list[Piece]:
    camera, figure, joints = canvas.camera, scene.figure, scene.figure.joints
    near_legs = min(("left", "right"), key=lambda s: camera.depth(joints[f"hip_{s}"]))
    near_arms = min(("left", "right"), key=lambda s: camera.depth(joints[f"shoulder_{s}"]))
    pieces = []
    parts = body_parts(figure)
    head_depth = camera.depth(joints["head"])
    # The trunk is painted as one: pelvis, chest and neck at the depth of their middle.
    trunk_depth = camera.depth(centroid([centroid(solid_points(part.solid)) for part in parts
                                         if part.name in ("pelvis", "chest")]))
    for index, part in enumerate(parts):
        middle = centroid(solid_points(part.solid))
        depth = camera.depth(middle)
        if part.name == "nose":  # painted just before or just after the head, never apart from it
            depth = head_depth + (0.01 if depth > head_depth else -0.01)
        elif part.chain == "trunk":
            depth = trunk_depth - index * 0.001
        elif part.name == "buckle":  # on the pelvis, seen only from in front
            if dot(pelvis_front(figure), camera.towards) < 0.15:
                continue
            depth = trunk_depth - 0.01
        behind = any(hidden_by(box, middle, camera) for box in scene.props)
        pieces.append(Piece(depth, part.chain, tone(part, figure, near_legs, near_arms), canvas.outline(part.solid),
                            behind))
    for fraction in scene.bands:
        loop = band_loop(figure, fraction)
        for i in range(0, len(loop), 3):
            stretch = loop[i:i + 4] if i + 4 <= len(loop) else loop[i:] + loop[:1]
            pieces.append(Piece(camera.depth(centroid(stretch)) - 0.5, "band", BAND,
                                f'<polyline points="{canvas.points(stretch)}"/>'))
    for a, b in scene.straps:
        pieces.append(Piece(camera.depth(lerp(a, b, 0.5)) - 3, "band", BAND,
                            f'<polyline points="{canvas.points([a, b])}"/>'))
    return pieces


def paint(canvas: Canvas, pieces: list[Piece]) -> None:
    """Far to near; each run of one chain drawn twice, first with a white edge, then filled only, so
    parts that overlap keep a gap between them while a limb's own joints show none."""
    ordered = sorted(pieces, key=lambda piece: -piece.depth)
    runs: list[list[Piece]] = []
    for piece in ordered:
        if runs and runs[-1][0].chain == piece.chain and runs[-1][0].fill == piece.fill:
            runs[-1].append(piece)
        else:
            runs.append([piece])
    for run in runs:
        body = "".join(piece.svg for piece in run)
        fill = run[0].fill
        if run[0].chain == "band":
            canvas.elements.append(f'<g fill="none" stroke="{fill}" stroke-width="{fmt(BAND_WIDTH * canvas.scale)}">'
                                   f'{body}</g>')
        else:
            canvas.elements.append(f'<g fill="{PAPER}" stroke="{PAPER}" stroke-width="{OUTLINE_WIDTH}">{body}</g>')
            canvas.elements.append(f'<g fill="{fill}">{body}</g>')


def paint_ghost(canvas: Canvas, pieces: list[Piece]) -> None:
    if not pieces:
        return
    for piece in sorted(pieces, key=lambda piece: -piece.depth):
        canvas.elements.append(f'<g fill="{GHOST_FILL}" stroke="{PAPER}" stroke-width="{OUTLINE_WIDTH / 2}">'
                               f'{piece.svg}</g>')


def moved_parts(shown: Figure, other: Figure) -> set[str]:
    """The names of the parts of ``other`` that are somewhere else in ``shown``."""
    here = {part.name: solid_points(part.solid) for part in body_parts(shown)}
    moved = set()
    for part in body_parts(other):
        if any(length(sub(a, b)) > 2.0 for a, b in zip(here[part.name], solid_points(part.solid), strict=True)):
            moved.add(part.name)
    return moved


def scene_extent(camera: Camera, scene: Scene) -> list[tuple[float, float]]:
    """Projected points (scene units) that the picture must show."""
    points: list[tuple[float, float]] = []
    for part in body_parts(scene.figure):
        solid = part.solid
        if isinstance(solid, Hull):
            points.extend(camera.project(p) for p in solid.points)
            continue
        circles = [(solid.a, solid.ra), (solid.b, solid.rb)] if isinstance(solid, Capsule) else [
            (solid.centre, solid.radius)]
        for centre, radius in circles:
            x, y = camera.project(centre)
            points.extend(((x - radius, y - radius), (x + radius, y + radius)))
    for box in scene.props:
        points.extend(camera.project(p) for p in box_points(box))
    points.extend(camera.project(p) for p in scene.arrow)
    return points


def draw_shadow(canvas: Canvas, figure: Figure) -> None:
    """A soft shadow on the floor round the feet that stand on it, so a standing figure is grounded."""
    points = []
    for side in ("left", "right"):
        for joint in (f"ankle_{side}", f"toe_{side}"):
            x, y, z = figure.joints[joint]
            if z < 20:
                points.extend(ring((x, y, 0.0), (1, 0, 0), (0, 1, 0), 14, 10, steps=12))
    if points:
        canvas.elements.append(f'<path d="{smooth_closed(hull_2d([canvas.xy(p) for p in points]))}" fill="{SHADOW}"/>')


def draw_scene(canvas: Canvas, scene: Scene, ghost: Scene | None) -> None:
    camera = canvas.camera
    draw_shadow(canvas, scene.figure)
    pieces = figure_pieces(canvas, scene)
    ghosts: list[Piece] = []
    if ghost is not None:
        moved = moved_parts(scene.figure, ghost.figure)
        parts = [part for part in body_parts(ghost.figure) if part.name in moved]
        for part in parts:
            middle = centroid(solid_points(part.solid))
            ghosts.append(Piece(camera.depth(middle), "ghost", GHOST_FILL, canvas.outline(part.solid),
                                any(hidden_by(box, middle, camera) for box in scene.props)))
    # Painter's order: whatever furniture hides, the furniture, the ghost of the other position,
    # then the figure far to near, and the arrow over everything.
    paint_ghost(canvas, [piece for piece in ghosts if piece.behind])
    paint(canvas, [piece for piece in pieces if piece.behind])
    for box in scene.props:
        draw_box(canvas, box)
    paint_ghost(canvas, [piece for piece in ghosts if not piece.behind])
    paint(canvas, [piece for piece in pieces if not piece.behind])
    if scene.arrow:
        canvas.arrow(scene.arrow)


def render(illustration: Illustration, position: str) -> str:
    camera = illustration.camera
    projected = [p for scene in (illustration.start, illustration.end) for p in scene_extent(camera, scene)]
    bounds = (min(p[0] for p in projected), min(p[1] for p in projected),
              max(p[0] for p in projected), max(p[1] for p in projected))
    canvas = Canvas(camera, bounds)
    if position == "start":
        draw_scene(canvas, illustration.start, None)
    else:
        draw_scene(canvas, illustration.end, illustration.start)
    title = escape(f"{illustration.title}: {position} position")
    body = "\n".join(canvas.elements)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{title}">\n<title>{title}</title>\n'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{PAPER}"/>\n'
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
    """Face down on a bed, head toward -x, the left knee bent to 90° (the side the camera sees), the
    shin turned out by the angle."""
    figure = Figure(pelvis=(95, 0, 62), facing=(0, 0, -1), up=(-1, 0, 0), head=(-1, 0, -0.15), working="left")
    straight = (1, 0, 0)
    figure.leg("right", thigh=straight, shin=straight, foot=(0.6, 0, -0.8))
    theta = math.radians(ir_degrees)
    out = figure.outward("left")
    shin = add(mul((0, 0, 1), math.cos(theta)), mul(out, math.sin(theta)))
    figure.leg("left", thigh=straight, shin=shin, foot=(1, 0, 0.1))
    figure.arm("right", upper=add((-0.45, 0, 0), mul(figure.outward("right"), 0.9)),
               fore=add((-0.2, 0, 0), mul(figure.outward("right"), -1)))
    if strap:
        shoulder = figure.joints["shoulder_left"]
        figure.arm("left", hand=add(shoulder, (22, 0, -5), mul(out, 22)), elbow_hint=add(out, (0, 0, 0.3)))
    else:
        figure.arm("left", upper=add((-0.45, 0, 0), mul(out, 0.9)), fore=add((-0.2, 0, 0), mul(out, -1)))
    scene = Scene(figure, props=[BED])
    if strap:
        scene.straps.append((figure.joints["ankle_left"], figure.joints["hand_left"]))
    return scene


def prone_arrow(figure: Figure, from_degrees: float, to_degrees: float) -> list[Vec]:
    knee = figure.joints["knee_left"]
    return arc(knee, SHIN + 6, (0, 0, 1), figure.outward("left"), from_degrees, to_degrees)


PRONE_VIEW = Camera(25, 22)


def prone_ir_active() -> Illustration:
    start, end = prone(0), prone(40)
    end.arrow = prone_arrow(end.figure, 5, 38)
    return Illustration("prone-hip-internal-rotation-active", "Prone hip internal rotation, active",
                        PRONE_VIEW, start, end)


def contract_relax() -> Illustration:
    start, end = prone(22, strap=True), prone(42, strap=True)
    end.arrow = prone_arrow(end.figure, 25, 42)
    return Illustration("hip-internal-rotation-contract-relax", "Hip internal rotation contract-relax",
                        PRONE_VIEW, start, end)


WALL_AHEAD = [Box((50, 56), (-70, 70), (0, 170), wall=True), Box((49, 56), (-70, 70), (0, 9))]


def split_stance(turn: float) -> Scene:
    """Facing a wall, left foot forward, right foot back; the pelvis turns toward the back leg."""
    figure = Figure(pelvis=(0, 0, 88), facing=(1, 0, 0), up=(0, 0, 1), pelvis_turn=-turn,
                    shoulder_turn=-turn * 0.9)
    figure.leg("left", ankle=(26, 7, 8), knee_hint=(1, 0, 0))
    figure.leg("right", ankle=(-34, -7, 8), knee_hint=(1, 0, 0), foot=(1, 0, -0.3))
    for side, y in (("left", 22), ("right", -22)):
        figure.arm(side, hand=(49, y, 128), elbow_hint=(0, 1 if side == "left" else -1, -0.7))
    return Scene(figure, props=list(WALL_AHEAD))


def split_stance_turn() -> Illustration:
    start, end = split_stance(0), split_stance(35)
    pelvis = end.figure.pelvis
    end.arrow = arc(add(pelvis, (0, 0, 8)), 30, (0, -1, 0), (-1, 0, 0), -50, 60)
    return Illustration("split-stance-pelvic-turn", "Split-stance pelvic turn over the back hip",
                        Camera(-70, 30), start, end)


def ninety_ninety(front: str) -> Scene:
    figure = Figure(pelvis=(0, 0, 12), facing=(1, 0, 0), up=(0, 0, 1), trunk=(0.05, 0, 1), working="both")
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
    return Illustration("ninety-ninety-hip-rotations", "90-90 hip rotations", Camera(-25, 48), start, end)


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


CUSHION = Box((-13, 11), (-21, 3), (0, 5))


def half_kneeling(shift: float, reach: bool) -> Scene:
    figure = Figure(pelvis=(shift, 0, 51 - shift * 0.15), facing=(1, 0, 0), up=(0, 0, 1),
                    trunk=(0, 0.28, 1) if reach else (0, 0, 1))
    figure.leg("right", knee=(0, -9, 10), ankle=(-42, -9, 5), foot=(-0.5, 0, -0.8))
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


SEAT = Box((-25, 22), (-28, 28), (36, 44), legs=True)


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
                        Camera(-45, 15), start, end)


TABLE = Box((32, 78), (-48, 42), (50, 60), legs=True)


def pigeon(lean: float, ankle_lift: float = 0.0) -> Scene:
    angle = math.radians(lean)
    figure = Figure(pelvis=(8, 0, 91), facing=(1, 0, 0), up=(0, 0, 1), trunk=(math.sin(angle), 0, math.cos(angle)))
    figure.leg("right", knee=(42, -26, 64), ankle=(46, 17, 64 + ankle_lift), foot=(0.1, 1, 0.2))
    figure.leg("left", ankle=(-14, 9, 8), knee_hint=(1, 0, 0))
    # Hands on the bench near its edge, either side of the body, clear of the shin.
    figure.arm("left", hand=(35 + lean * 0.2, 32, 61), elbow_hint=(0, 1, -0.3))
    figure.arm("right", hand=(33 + lean * 0.2, -44, 61), elbow_hint=(0, -1, -0.3))
    return Scene(figure, props=[TABLE])


def wall_assisted_pigeon_stretch() -> Illustration:
    start, end = pigeon(5), pigeon(45)
    end.arrow = arc(end.figure.pelvis, 68, (0, 0, 1), (1, 0, 0), 8, 44)
    return Illustration("wall-assisted-pigeon-stretch", "Supported pigeon stretch", Camera(60, 25), start, end)


def pigeon_lift_offs() -> Illustration:
    start, end = pigeon(20), pigeon(20, ankle_lift=14)
    ankle = end.figure.joints["ankle_right"]
    end.arrow = [add(ankle, (6, 0, -8)), add(ankle, (6, 0, 4)), add(ankle, (6, 0, 14))]
    return Illustration("wall-assisted-pigeon-lift-offs", "Supported pigeon with lift-offs", Camera(60, 18),
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


# A wall with its skirting board.
WALL_LEFT = [Box((-80, 80), (34, 40), (0, 170), wall=True), Box((-80, 80), (33, 40), (0, 9))]


def standing_lunge_stretch(shift: float) -> Scene:
    figure = Figure(pelvis=(shift, 0, 86 - shift * 0.25), facing=(1, 0, 0), up=(0, 0, 1))
    figure.leg("left", ankle=(38, 9, 8), knee_hint=(1, 0, 0))
    figure.leg("right", ankle=(-44, -9, 12 if shift else 8), knee_hint=(1, 0, 0),
               foot=(0.5, 0, -0.85) if shift else (1, 0, -0.3))
    figure.arm("left", hand=(shift + 4, 33, 118), elbow_hint=(0, 0.2, -1))
    figure.arm("right", hand=add(figure.joints["hip_right"], (0, -5, 5)), elbow_hint=(-0.5, -1, 0))
    return Scene(figure, props=list(WALL_LEFT))


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
    scene.bands.append(0.82)
    return scene


def single_leg_rotational_control() -> Illustration:
    start, end = band_stance(0), band_stance(35)
    neck = end.figure.joints["neck"]
    end.arrow = arc(add(neck, (0, 0, 12)), 34, (1, 0, 0), (0, -1, 0), 5, 55)
    return Illustration("single-leg-rotational-hip-control-band", "Single-leg rotational hip control with a band",
                        Camera(-22, 24), start, end)


def side_lying(clamshell: bool, opened: bool) -> Scene:
    """On the left side on a bed, head toward +x, facing -y; for the rotations off the edge, near
    the bed's back edge (+y) with the straight top leg held behind it, off the bed."""
    figure = Figure(pelvis=(90, 8 if clamshell else 22, 66), facing=(0, -1, 0), up=(1, 0, 0), head=(1, 0, 0.25))
    if clamshell:
        thigh, shin = figure.body(0.7, 0, -0.7), figure.body(-0.75, 0, -0.65)
        figure.leg("left", thigh=thigh, shin=shin, foot=figure.body(0, 0, -1))
        figure.leg("right", thigh=thigh, shin=shin, foot=figure.body(0, 0, -1))
        if opened:
            hip, ankle = figure.joints["hip_right"], figure.joints["ankle_right"]
            figure.joints["knee_right"] = rotate(figure.joints["knee_right"], hip, sub(ankle, hip), 42)
    else:
        figure.leg("left", thigh=figure.body(0.6, 0, -0.8), shin=figure.body(-0.7, 0, -0.7),
                   foot=figure.body(0, 0, -1))
        line = figure.body(-0.3, 0, -1)
        foot = (0, 0, 1) if opened else figure.body(1, 0, -0.25)
        figure.leg("right", thigh=line, shin=line, foot=foot)
    figure.arm("left", upper=figure.body(0.2, 0, 1), fore=figure.body(0.2, -0.5, -0.6))
    figure.arm("right", hand=add(figure.pelvis, figure.body(22, 0, 30), (0, 0, -13)),
               elbow_hint=figure.body(0.3, 1, 0))
    scene = Scene(figure, props=[Box((-10, 170), (-40, 40), (40, 55), legs=True)])
    if clamshell:
        scene.bands.append(0.85)
    return scene


def hip_external_rotation_bed_edge() -> Illustration:
    start, end = side_lying(False, False), side_lying(False, True)
    ankle = end.figure.joints["ankle_right"]
    end.arrow = arc(ankle, 24, (0, -1, 0), (0, 0, 1), 5, 80)
    return Illustration("hip-external-rotation-bed-edge", "Hip external rotations off the edge of a bed",
                        Camera(-165, 22), start, end)


def clamshell() -> Illustration:
    start, end = side_lying(True, False), side_lying(True, True)
    knee = end.figure.joints["knee_right"]
    end.arrow = [add(knee, (0, -4, -18)), add(knee, (0, -6, -8)), add(knee, (0, -6, 4))]
    return Illustration("clamshell-band", "Clamshell with a band", Camera(-105, 30), start, end)


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
    else:
        figure.leg("left", ankle=(0, 9, 8), knee_hint=(1, 0, 0))
    figure.arm("left", hand=(8, 32, 108), elbow_hint=(0, 0.2, -1))
    figure.arm("right", hand=add(figure.joints["hip_right"], (0, -5, 5)), elbow_hint=(-0.5, -1, 0))
    return Scene(figure, props=list(WALL_LEFT))


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
