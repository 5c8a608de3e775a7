"""How the Python worker reaches Temporal: the TEMPORAL_* variables the TypeScript side reads
(sdk/src/temporal/connection.ts), read here in one function, with the same meanings and messages.

TEMPORAL_ADDRESS (host:port, default 127.0.0.1:7233), TEMPORAL_NAMESPACE (default), TEMPORAL_TLS (true: TLS
with the system's CAs; false: never), TEMPORAL_TLS_CA_FILE, TEMPORAL_TLS_CERT_FILE with TEMPORAL_TLS_KEY_FILE
(mTLS), TEMPORAL_TLS_SERVER_NAME, TEMPORAL_API_KEY (sent as `authorization: Bearer`; implies TLS)."""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass

from temporalio.client import Client
from temporalio.service import TLSConfig

_HOST_PORT = re.compile(r"^[^\s:/]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$")
# How Temporal's Rust core words a failed handshake (the same words as sdk/src/temporal/connection.ts).
_TLS_FAILURE = re.compile(r"\btls\b|certificate|handshake|alert|UnknownIssuer|NotValidForName|invalid ?peer|corrupt message|wrong version number", re.I)


class TemporalSettingsError(ValueError):
    """TEMPORAL_* variables that are set but unusable; one line per problem, naming the variable."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class TemporalUnreachable(Exception):
    """Temporal could not be reached or refused the connection; the message says where, over what, what to do."""


@dataclass(frozen=True)
class TemporalSettings:
    address: str
    namespace: str
    #: False: plain gRPC; True: TLS with the system's CAs; a TLSConfig: TLS with these files.
    tls: TLSConfig | bool
    api_key: str | None = None
    #: The files and name behind `tls` (CA, certificate, key, server name), for the handshake that explains a failure.
    tls_files: tuple[str | None, str | None, str | None, str | None] = (None, None, None, None)


def _read_pem(variable: str, path: str, problems: list[str]) -> bytes | None:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        problems.append(f"{variable}={path}: cannot read it (no such file).")
        return None
    except OSError as err:
        problems.append(f"{variable}={path}: cannot read it ({err.strerror or err}).")
        return None
    if b"-----BEGIN " not in data:
        problems.append(f'{variable}={path}: not a PEM file (no "-----BEGIN" line).')
        return None
    return data


def temporal_settings(env: Mapping[str, str]) -> TemporalSettings:
    """The Temporal settings of `env`, certificate files read; raises TemporalSettingsError listing every problem."""

    def get(name: str) -> str | None:
        return (env.get(name) or "").strip() or None

    problems: list[str] = []
    address = get("TEMPORAL_ADDRESS") or "127.0.0.1:7233"
    if not _HOST_PORT.match(address):
        problems.append(f"TEMPORAL_ADDRESS={address!r}: must be host:port, for example 127.0.0.1:7233 (no scheme)")
    flag = get("TEMPORAL_TLS")
    if flag not in (None, "true", "false"):
        problems.append(f"TEMPORAL_TLS={flag!r}: must be true (TLS, trusting the system CAs unless TEMPORAL_TLS_CA_FILE is set) or false")
    ca, cert, key, server_name, api_key = (get(n) for n in ("TEMPORAL_TLS_CA_FILE", "TEMPORAL_TLS_CERT_FILE", "TEMPORAL_TLS_KEY_FILE", "TEMPORAL_TLS_SERVER_NAME", "TEMPORAL_API_KEY"))
    if cert and not key:
        problems.append(f"TEMPORAL_TLS_KEY_FILE: not set, but TEMPORAL_TLS_CERT_FILE is ({cert}): a client certificate needs its private key")
    if key and not cert:
        problems.append(f"TEMPORAL_TLS_CERT_FILE: not set, but TEMPORAL_TLS_KEY_FILE is ({key}): a private key needs its client certificate")
    tls_set = [n for n, v in (("TEMPORAL_TLS_CA_FILE", ca), ("TEMPORAL_TLS_CERT_FILE", cert), ("TEMPORAL_TLS_KEY_FILE", key), ("TEMPORAL_TLS_SERVER_NAME", server_name)) if v]
    if flag == "false" and tls_set:
        problems.append(f"TEMPORAL_TLS=false, but {', '.join(tls_set)} set: unset TEMPORAL_TLS or them")
    ca_pem = _read_pem("TEMPORAL_TLS_CA_FILE", ca, problems) if ca else None
    cert_pem = _read_pem("TEMPORAL_TLS_CERT_FILE", cert, problems) if cert and key else None
    key_pem = _read_pem("TEMPORAL_TLS_KEY_FILE", key, problems) if cert and key else None
    if problems:
        raise TemporalSettingsError(problems)
    tls: TLSConfig | bool = False
    if tls_set:
        tls = TLSConfig(server_root_ca_cert=ca_pem, domain=server_name, client_cert=cert_pem, client_private_key=key_pem)
    elif flag == "true" or (api_key and flag != "false"):
        tls = True  # as Temporal's CLI: an API key means TLS (Temporal Cloud) unless turned off
    return TemporalSettings(address, get("TEMPORAL_NAMESPACE") or "default", tls, api_key, (ca, cert, key, server_name))


def probe_tls(settings: TemporalSettings, timeout: float = 5.0) -> str | None:
    """Why a TLS handshake as `settings` make it fails, in OpenSSL's words, or None. Made only after a failed connect:
    Temporal's client reports a refused client certificate as "connection closed"."""
    ca, cert, key, server_name = settings.tls_files
    host, _, port = settings.address.rpartition(":")
    host = host.strip("[]")
    context = ssl.create_default_context(cafile=ca)
    context.set_alpn_protocols(["h2"])
    if cert and key:
        context.load_cert_chain(cert, key)
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as raw:
            with context.wrap_socket(raw, server_hostname=server_name or host) as tls:
                tls.settimeout(1.0)  # TLS 1.3: the server's verdict on the client's certificate comes after the handshake
                try:
                    if tls.recv(1) == b"":
                        return "the server closed the connection right after the handshake"
                except TimeoutError:
                    return None
    except ssl.SSLError as err:  # in Node's (OpenSSL's) words: "tlsv13 alert certificate required"
        return getattr(err, "verify_message", None) or (err.reason or str(err)).lower().replace("_", " ")
    except ssl.CertificateError as err:
        return str(err)
    except OSError:
        return None
    return None


def unreachable_message(settings: TemporalSettings, reason: str, probed: str | None = None) -> str:
    if settings.tls and (probed or _TLS_FAILURE.search(reason)):
        if probed:
            reason = f"{probed}; the client said: {reason}"
        return (
            f"TLS connection to Temporal at {settings.address} failed ({reason}). Check TEMPORAL_TLS_CA_FILE (the CA of the "
            "server's certificate; unset: the system's CAs), TEMPORAL_TLS_SERVER_NAME (a name on that certificate), and, when "
            "the server asks for a client certificate, TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE; or that the server speaks TLS at all."
        )
    if not settings.tls and _TLS_FAILURE.search(reason):
        return (
            f"Cannot talk to Temporal at {settings.address} over plain gRPC ({reason}). If the server requires TLS, set "
            "TEMPORAL_TLS=true (or TEMPORAL_TLS_CA_FILE, and TEMPORAL_TLS_CERT_FILE with TEMPORAL_TLS_KEY_FILE for mTLS)."
        )
    return f"Cannot reach Temporal at {settings.address}{' (TLS)' if settings.tls else ''} ({reason}). Is it running? `npm start` starts a local one; otherwise set TEMPORAL_ADDRESS."


async def connect_temporal(settings: TemporalSettings, identity: str | None = None) -> Client:
    """A client of `settings` (address, namespace, TLS, API key); raises TemporalUnreachable with a readable message."""
    try:
        return await Client.connect(settings.address, namespace=settings.namespace, tls=settings.tls, api_key=settings.api_key, identity=identity)
    except Exception as err:
        probed = await asyncio.to_thread(probe_tls, settings) if settings.tls else None
        raise TemporalUnreachable(unreachable_message(settings, str(err), probed)) from None
