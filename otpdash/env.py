"""Settings come from the environment only (prefix OTPDASH_); secrets may come from NAME_FILE."""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path


class ConfigError(Exception):
    pass


def env(name: str, default: str = "") -> str:
    """NAME, else the contents of the file named by NAME_FILE, else default. Set but empty counts as
    unset, as an env file's `NAME=` line means (compose passes it as an empty string)."""
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE={path} cannot be read: {exc.strerror}") from exc
    return default


def env_bool(name: str, default: bool) -> bool:
    value = env(name, "true" if default else "false").strip().lower()
    if value not in ("true", "false"):
        raise ConfigError(f"{name} must be true or false, not {value!r}")
    return value == "true"


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def secret_file(path: Path, nbytes: int = 50, generate=None) -> str:
    """Read a generated secret, creating it on first start readable by its owner only."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = generate() if generate else secrets.token_urlsafe(nbytes)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its secret
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def dns_resolvers(name: str) -> str | list[tuple[str, int]]:
    """OTPDASH_DNS_RESOLVERS: "system", "off", or addresses as "host", "host:port" or "[v6]:port"."""
    value = env(name, "system").strip().lower()
    if value in ("system", "off"):
        return value
    servers = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        host, port = item, "53"
        if item.startswith("["):
            host, _, rest = item[1:].partition("]")
            port = rest[1:] if rest.startswith(":") else "53"
        elif item.count(":") == 1:
            host, _, port = item.partition(":")
        try:
            ipaddress.ip_address(host)
            if not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(port)
        except ValueError as exc:
            raise ConfigError(
                f'{name}: {item!r} is not a resolver address ("host" or "host:port" by IP), "system" or "off"'
            ) from exc
        servers.append((host, int(port)))
    if not servers:
        raise ConfigError(f'{name} names no resolver: give addresses, "system" or "off"')
    return servers
