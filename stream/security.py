"""How the Kafka clients encrypt and authenticate: TLS and SASL settings, checked, as kafka-python options.

The SASL password comes from NEWSFEED_SASL_PASSWORD or from the file NEWSFEED_SASL_PASSWORD_FILE
names (a mounted secret), never from a flag: flags show in the process list. It is read when a
client is built and goes nowhere else: `KafkaConnection` leaves it out of its repr, no log line names it,
and the errors here name the variable, never the value.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from newsfeed.stream.errors import ConfigError

if TYPE_CHECKING:
    from newsfeed.stream.settings import KafkaConnection

# The settings every command that talks to Kafka accepts as flags (the password has no flag).
SECURITY_FIELDS = ("security_protocol", "sasl_mechanism", "sasl_username", "sasl_password_file",
                   "ssl_cafile", "ssl_certfile", "ssl_keyfile")

_FILES = (("ssl_cafile", "NEWSFEED_SSL_CAFILE"), ("ssl_certfile", "NEWSFEED_SSL_CERTFILE"),
          ("ssl_keyfile", "NEWSFEED_SSL_KEYFILE"), ("sasl_password_file", "NEWSFEED_SASL_PASSWORD_FILE"))


def uses_sasl(settings: KafkaConnection) -> bool:
    return settings.security_protocol in ("SASL_PLAINTEXT", "SASL_SSL")


def uses_tls(settings: KafkaConnection) -> bool:
    return settings.security_protocol in ("SSL", "SASL_SSL")


def check_security(settings: KafkaConnection) -> None:
    """ConfigError for security settings that cannot work, before any client is built."""
    protocol = settings.security_protocol
    if uses_sasl(settings):
        if not settings.sasl_username:
            raise ConfigError(f"NEWSFEED_SECURITY_PROTOCOL={protocol} needs NEWSFEED_SASL_USERNAME")
        if (settings.sasl_password is None) == (settings.sasl_password_file is None):
            raise ConfigError(f"NEWSFEED_SECURITY_PROTOCOL={protocol} needs the SASL password from exactly one of "
                              "NEWSFEED_SASL_PASSWORD and NEWSFEED_SASL_PASSWORD_FILE")
    elif settings.sasl_username or settings.sasl_password is not None or settings.sasl_password_file:
        raise ConfigError(f"SASL credentials are set but NEWSFEED_SECURITY_PROTOCOL is {protocol}: "
                          "use SASL_SSL (or SASL_PLAINTEXT)")
    if not uses_tls(settings) and (settings.ssl_cafile or settings.ssl_certfile or settings.ssl_keyfile):
        raise ConfigError(f"TLS files are set but NEWSFEED_SECURITY_PROTOCOL is {protocol}: use SSL or SASL_SSL")
    if settings.ssl_keyfile and not settings.ssl_certfile:
        raise ConfigError("NEWSFEED_SSL_KEYFILE is set without NEWSFEED_SSL_CERTFILE, the certificate it belongs to")
    for name, variable in _FILES:
        path = getattr(settings, name)
        if path is not None and not os.access(path, os.R_OK):
            raise ConfigError(f"{variable}: cannot read {path}")


def client_security(settings: KafkaConnection) -> dict[str, Any]:
    """The kafka-python options of the configured protocol (the password file is read here)."""
    options: dict[str, Any] = {"security_protocol": settings.security_protocol}
    if uses_tls(settings):
        options.update(ssl_cafile=settings.ssl_cafile, ssl_certfile=settings.ssl_certfile,
                       ssl_keyfile=settings.ssl_keyfile, ssl_check_hostname=True)
    if uses_sasl(settings):
        options.update(sasl_mechanism=settings.sasl_mechanism, sasl_plain_username=settings.sasl_username,
                       sasl_plain_password=_password(settings))
    return options


def describe_security(settings: KafkaConnection) -> dict[str, Any]:
    """What may be logged about how the worker connects: protocol, mechanism, user, files; no secret."""
    described: dict[str, Any] = {"security_protocol": settings.security_protocol}
    if uses_sasl(settings):
        described.update(sasl_mechanism=settings.sasl_mechanism, sasl_username=settings.sasl_username,
                         sasl_password_from="file" if settings.sasl_password_file else "environment")
    if uses_tls(settings):
        described.update(ssl_cafile=settings.ssl_cafile or "system CAs", ssl_certfile=settings.ssl_certfile)
    return described


def _password(settings: KafkaConnection) -> str:
    if settings.sasl_password is not None:
        return settings.sasl_password
    path = settings.sasl_password_file
    try:
        with open(path, encoding="utf-8") as handle:
            password = handle.read().rstrip("\r\n")  # a file of one line: its line ending is no part of it
    except OSError as exc:
        raise ConfigError(f"NEWSFEED_SASL_PASSWORD_FILE: cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"NEWSFEED_SASL_PASSWORD_FILE: {path} is not UTF-8 text") from None
    if not password:
        raise ConfigError(f"NEWSFEED_SASL_PASSWORD_FILE: {path} is empty")
    return password
