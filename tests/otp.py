"""Codes from an authenticator app, computed in the test the way a phone computes them (RFC 6238)."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from runphys import twofactor
from runphys.models import User


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the app shows now (or ``steps_ahead`` periods of 30 s later: a code not yet used,
    since a code once accepted is refused again)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def code_from_secret(secret: str, steps_ahead: int = 0, *, step: int | None = None) -> str:
    """The code for a base32 key as shown on the enrolment page: now (or ``steps_ahead`` periods of
    30 s later), or for the time step ``step`` (a device's ``last_t + 1``: the next code it takes)."""
    from base64 import b32decode

    text = secret.replace(" ", "")
    totp = TOTP(b32decode(text + "=" * (-len(text) % 8)))
    totp.time = step * 30 if step is not None else time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def enrol(user: User) -> tuple[TOTPDevice, list[str]]:
    """Two-factor authentication switched on for ``user``: their authenticator and backup codes."""
    device = twofactor.start_enrolment(user)
    codes = twofactor.confirm_enrolment(device, totp_code(device))
    assert codes is not None
    device.refresh_from_db()
    return device, codes


def passed_second_factor(client) -> None:
    """Mark a test client's session as one that passed a second factor (as a login with a code does)."""
    from runphys import sessions

    session = client.session
    session[sessions.SECOND_FACTOR] = True
    session.save()
