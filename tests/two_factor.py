"""Second factors in tests: a person's authenticator app, its codes, and a session that has
passed it (as if the code had been entered at sign-in)."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from boards.two_factor import VERIFIED_AT


def authenticator_of(person) -> TOTPDevice:
    """The person's authenticator app, set up (confirmed) if they had none."""
    device = TOTPDevice.objects.filter(user=person, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=True)
    return device


def code_of(device: TOTPDevice, later: int = 0) -> str:
    """The 6-digit code the app shows now (or ``later`` seconds from now: each code works
    once, so a second sign-in in the same test uses the next one)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0 - later, digits=device.digits)
    return f"{code:0{device.digits}d}"


def pass_second_factor(client, person) -> TOTPDevice:
    """Mark the client's signed-in session as having passed its second factor just now."""
    device = authenticator_of(person)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[VERIFIED_AT] = int(time.time())
    session.save()
    return device
