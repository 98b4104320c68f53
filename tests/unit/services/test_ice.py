"""ICE server lists and TURN REST-API credentials; the settings that configure them."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from services.ice import IceServer, ice_servers, turn_credential
from topicsflow.settings import SettingsError, load_settings


def test_turn_credentials_follow_the_rest_api_scheme() -> None:
    username, credential = turn_credential("s3cret", "u1", expires_at=1_700_000_000)
    assert username == "1700000000:u1"
    expected = hmac.new(b"s3cret", b"1700000000:u1", hashlib.sha1).digest()
    assert base64.b64decode(credential) == expected


def test_stun_and_turn_urls_are_served_separately() -> None:
    urls = ("stun:stun.example.org:3478", "turn:turn.example.org:3478?transport=udp")
    with_secret = ice_servers(urls, user_id="u1", turn_secret="s", now=100.0, lifetime=60)
    assert with_secret[0] == IceServer(urls=["stun:stun.example.org:3478"])
    assert with_secret[1].username == "160:u1"
    assert with_secret[1].credential
    without = ice_servers(urls, user_id="u1", turn_secret=None, now=100.0)
    assert without[1] == IceServer(urls=["turn:turn.example.org:3478?transport=udp"])
    assert ice_servers((), user_id="u1", turn_secret="s", now=1.0) == []


def test_ice_and_tenor_settings_are_validated() -> None:
    settings = load_settings(
        {
            "TOPICSFLOW_ICE_SERVERS": "stun:a.example:3478, turns:b.example:5349",
            "TOPICSFLOW_TENOR_URL": "http://127.0.0.1:9/v2/",
        }
    )
    assert settings.ice_servers == ("stun:a.example:3478", "turns:b.example:5349")
    assert settings.tenor_url == "http://127.0.0.1:9/v2"
    assert settings.tenor_api_key is None
    with pytest.raises(SettingsError, match="TOPICSFLOW_ICE_SERVERS"):
        load_settings({"TOPICSFLOW_ICE_SERVERS": "http://stun.example"})
    with pytest.raises(SettingsError, match="TOPICSFLOW_TENOR_URL"):
        load_settings({"TOPICSFLOW_TENOR_URL": "ftp://x"})
