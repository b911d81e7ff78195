"""The `buudien` console script: every Django management command, plus `serve`."""

from __future__ import annotations

import hashlib
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buudien.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args[:1] == ["serve"]:
        os.environ.setdefault("BUUDIEN_STATIC_FINGERPRINTS", "1")
        import django

        django.setup()
        from django.conf import settings

        if not settings.PRODUCTION:  # production's serve collects them itself
            collect_static()
    execute_from_command_line(["buudien", *args])


def collect_static() -> None:
    """`buudien serve` (the demo too) answers with fingerprinted, compressed static files cached
    for a year, as production does: collect them first, unless the sources have not changed
    since the last time (compressing them all again takes a minute on a small machine)."""
    from django.conf import settings
    from django.core.management import call_command

    if not settings.STATIC_FINGERPRINTS:
        return
    stamp = settings.STATIC_ROOT / ".sources"
    sources = _sources_digest()
    if stamp.exists() and stamp.read_text() == sources:
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(sources)


def _sources_digest() -> str:
    """Every static source file's name, size and modification time, as one digest."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for name, storage in sorted(finder.list(["CVS", ".*", "*~"]), key=lambda f: f[0]):
            stat = os.stat(storage.path(name))
            digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


if __name__ == "__main__":
    main()
