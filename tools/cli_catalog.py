"""Keep cli_locale/vi.po in step with click and argparse, and compile it to the .mo gettext reads.

    python tools/cli_catalog.py extract   # add the strings of the installed click and argparse to vi.po
    python tools/cli_catalog.py compile   # vi.po -> cli_locale/vi/LC_MESSAGES/messages.mo

After upgrading click or Python: run `extract`, translate the new empty msgstr entries in vi.po,
run `compile`, and commit both files (tests/test_cli_locale.py fails until then). Babel (a dev
dependency) reads the sources and writes the files; the running CLI only needs the .mo.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "cli_locale" / "vi.po"
MO = ROOT / "cli_locale" / "vi" / "LC_MESSAGES" / "messages.mo"
# click's only localised helper keyword besides gettext: ngettext(singular, plural, n).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
# Strings the libraries pass to gettext through a variable, which extraction cannot see:
# click's "[required]" in --help, argparse's default title of a subcommand group.
INDIRECT = (("required", "click/core.py"), ("subcommands", "argparse.py"))


def sources() -> list[Path]:
    """The modules whose messages the catalog covers: click's and the standard library's argparse."""
    import argparse as argparse_module

    import click

    return sorted(Path(click.__file__).parent.glob("*.py")) + [Path(argparse_module.__file__)]


def template() -> Catalog:
    """Every string click and argparse pass to gettext, as an untranslated catalog."""
    catalog = Catalog(project="survey CLI", locale="vi")
    for path in sources():
        for lineno, message, _comments, context in extract_from_file("python", str(path), keywords=KEYWORDS):
            catalog.add(message, locations=[(f"{path.parent.name}/{path.name}", lineno)], context=context)
    for message, where in INDIRECT:
        catalog.add(message, locations=[(where, 0)])
    return catalog


def read() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="vi")


def compiled(catalog: Catalog) -> bytes:
    """The .mo bytes of ``catalog`` (fuzzy entries left out, as msgfmt does)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python tools/cli_catalog.py")
    parser.add_argument("action", choices=["extract", "compile"])
    action = parser.parse_args(argv).action
    if action == "extract":
        catalog = read() if PO.exists() else Catalog(project="survey CLI", locale="vi")
        catalog.update(template(), no_fuzzy_matching=True)
        with PO.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, include_previous=False)
        missing = [m.id for m in catalog if m.id and not m.string]
        print(f"{PO}: {len(missing)} chuỗi chưa dịch")
    else:
        MO.parent.mkdir(parents=True, exist_ok=True)
        MO.write_bytes(compiled(read()))
        print(MO)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
