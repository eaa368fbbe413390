"""docspace_auth: ONLYOFFICE DocSpace login with 2FA."""

from ._native import library_version

__all__ = ["library_version"]
