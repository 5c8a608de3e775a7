"""The Temporal settings the Python worker reads (sluice.connection): the TypeScript side's variables, rules and messages."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.service import TLSConfig

from sluice.connection import TemporalSettingsError, TemporalUnreachable, connect_temporal, temporal_settings
from sluice.worker import WorkerError, config_from_env


def test_plain_by_default_tls_when_asked_or_implied_by_an_api_key() -> None:
    assert temporal_settings({}).tls is False
    assert temporal_settings({"TEMPORAL_TLS": "true"}).tls is True
    cloud = temporal_settings({"TEMPORAL_ADDRESS": "ns.acct.tmprl.cloud:7233", "TEMPORAL_API_KEY": "k-1"})
    assert (cloud.tls, cloud.api_key) == (True, "k-1")
    plain = temporal_settings({"TEMPORAL_API_KEY": "k-1", "TEMPORAL_TLS": "false"})
    assert (plain.tls, plain.api_key) == (False, "k-1")


def test_tls_files_are_read_into_the_tls_config(tmp_path: Path) -> None:
    files = {}
    for name, kind in (("ca.pem", "CERTIFICATE"), ("c.pem", "CERTIFICATE"), ("c.key", "PRIVATE KEY")):
        (tmp_path / name).write_text(f"-----BEGIN {kind}-----\nAAAA\n-----END {kind}-----\n")
        files[name] = str(tmp_path / name)
    s = temporal_settings({"TEMPORAL_TLS_CA_FILE": files["ca.pem"], "TEMPORAL_TLS_CERT_FILE": files["c.pem"], "TEMPORAL_TLS_KEY_FILE": files["c.key"], "TEMPORAL_TLS_SERVER_NAME": "temporal.internal"})
    assert isinstance(s.tls, TLSConfig)
    assert s.tls.domain == "temporal.internal"
    assert s.tls.server_root_ca_cert and b"BEGIN CERTIFICATE" in s.tls.server_root_ca_cert
    assert s.tls.client_private_key and b"BEGIN PRIVATE KEY" in s.tls.client_private_key


def test_each_problem_names_its_variable(tmp_path: Path) -> None:
    not_pem = tmp_path / "key.der"
    not_pem.write_bytes(b"\x30\x82\x01")
    with pytest.raises(TemporalSettingsError) as err:
        temporal_settings({"TEMPORAL_TLS": "maybe", "TEMPORAL_TLS_CA_FILE": str(tmp_path / "gone.pem"), "TEMPORAL_TLS_CERT_FILE": str(not_pem), "TEMPORAL_TLS_KEY_FILE": str(not_pem)})
    assert err.value.problems == [
        "TEMPORAL_TLS='maybe': must be true (TLS, trusting the system CAs unless TEMPORAL_TLS_CA_FILE is set) or false",
        f"TEMPORAL_TLS_CA_FILE={tmp_path / 'gone.pem'}: cannot read it (no such file).",
        f'TEMPORAL_TLS_CERT_FILE={not_pem}: not a PEM file (no "-----BEGIN" line).',
        f'TEMPORAL_TLS_KEY_FILE={not_pem}: not a PEM file (no "-----BEGIN" line).',
    ]
    with pytest.raises(WorkerError, match=r"TEMPORAL_TLS_KEY_FILE: not set, but TEMPORAL_TLS_CERT_FILE is \(/c\.pem\): a client certificate needs its private key"):
        config_from_env("m", "q", {"TEMPORAL_TLS_CERT_FILE": "/c.pem"})


def test_an_unreachable_tls_server_is_named_with_its_address() -> None:
    with pytest.raises(TemporalUnreachable, match=r"^Cannot reach Temporal at 127\.0\.0\.1:1 \(TLS\) .*set TEMPORAL_ADDRESS"):
        asyncio.run(connect_temporal(temporal_settings({"TEMPORAL_ADDRESS": "127.0.0.1:1", "TEMPORAL_TLS": "true"})))
