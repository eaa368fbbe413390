"""The suite runs against the installed wheel, not the source tree."""

import sysconfig
from pathlib import Path

import docspace_auth


def test_package_is_the_installed_wheel() -> None:
    package_dir = Path(docspace_auth.__file__).resolve().parent
    site_packages = Path(sysconfig.get_paths()["purelib"]).resolve()
    assert package_dir.parent == site_packages, package_dir
    # The generated uniffi module and the native library are private, inside the package.
    assert (package_dir / "_native").is_dir()
    assert list((package_dir / "_native").glob("*docspace_auth_ffi*"))
    assert (package_dir / "py.typed").exists()
    assert docspace_auth.__version__
