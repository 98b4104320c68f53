"""Passkeys, emailed codes, step-up and an export against a live node, as one scripted
user (not a test module).  :func:`security_flow` returns every secret it saw."""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

import httpx

from tests.auth_support import AuthDriver, bearer
from tests.webauthn_authenticator import SoftAuthenticator
from topicsflow.node import NodeHandle

_CODE = re.compile(r"login code is (\d{6})")


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def security_flow(node: NodeHandle, driver: AuthDriver) -> list[str]:
    """Register a passkey and log in with it, log in with an emailed code, step up and
    download an export; the secrets used on the way."""
    client = driver.client
    carol = await driver.signup("carol")
    secrets = [carol.token]
    authenticator = SoftAuthenticator(origin=node.context.settings.public_url)
    options = _ok(await client.post("/api/auth/passkeys/registration/options",
                                    headers=bearer(carol.token)))["public_key"]
    secrets.append(options["challenge"])
    _ok(await client.post("/api/auth/passkeys", json={"credential": authenticator.create(options)},
                          headers=bearer(carol.token)), 201)
    login_options = _ok(await client.post("/api/auth/login/passkey/options", json={}))
    secrets.append(login_options["public_key"]["challenge"])
    assertion = authenticator.get(login_options["public_key"])
    secrets.append(assertion["response"]["signature"])
    by_passkey = _ok(await client.post("/api/auth/login/passkey", json={"credential": assertion}))
    secrets.append(by_passkey["token"])

    _ok(await client.post("/api/auth/two-factor/email/enable", headers=bearer(carol.token)))
    first = _ok(await driver.login("carol"))
    secrets.append(first["challenge"])
    _ok(await client.post("/api/auth/login/email-code/send",
                          json={"challenge": first["challenge"]}))
    (mail,) = await driver.mail(carol.email, "login code")
    code = _CODE.search(mail.body)
    assert code is not None
    secrets.append(code.group(1) + " ")  # a bare six-digit number could match a timestamp
    by_code = _ok(await client.post("/api/auth/login/email-code",
                                    json={"challenge": first["challenge"], "code": code.group(1)}))
    secrets.append(by_code["token"])

    _ok(await client.post("/api/auth/step-up", json={"password": carol.password},
                          headers=bearer(by_code["token"])))
    _ok(await client.post("/api/auth/export", headers=bearer(by_code["token"])), 202)
    (ready,) = await driver.mail(carol.email, "data export is ready")
    parts = urllib.parse.urlsplit(ready.links[0])
    secrets.append(urllib.parse.parse_qs(parts.query)["signature"][0])
    downloaded = await client.get(f"{parts.path}?{parts.query}")
    assert downloaded.status_code == 200
    return secrets
