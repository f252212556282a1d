"""The single ``stromalab`` entry point.

The command table is static so that the top-level help and argument dispatch need no imports:
only the chosen command's module is loaded, which keeps ``stromalab screen`` start-up close to
bare Python.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

#: command name -> (module under stromalab.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "screen": ("screen", "decide donor eligibility for screening records"),
    "fcs": ("fcs", "read FCS files and compute the ISCT phenotype"),
    "din": ("din", "ISBT 128 donation identification numbers"),
    "prescreen": ("prescreen", "pre-screen an OMOP warehouse against a protocol"),
    "protocol": ("protocol", "protocol folders: import-ctgov drafts one from a registry record"),
    "audit": ("audit", "verify the hash-chained audit trail"),
    "createuser": ("createuser", "add a user account with a role"),
    "manage": ("manage", "run a Django management command (migrate, runserver, ...)"),
    "serve": ("serve", "serve the web application with gunicorn (production)"),
    "backup": ("backup", "back up the database and uploaded files, with a manifest of SHA-256"),
    "restore": ("restore", "restore a backup into an empty database, then verify it"),
    "i18n": ("i18n", "compile the web pages' message catalogues (.po -> .mo)"),
    "demo": ("demo", "fill an empty database with a complete demo study (demo accounts)"),
    "export": ("export", "the study as a FHIR R4 bundle or CDISC ODM 1.3.2 document (audited)"),
}


def _top_level_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stromalab",
        description="Cell-therapy donor studies from screening to batch release.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="commands:\n"
        + "\n".join(f"  {name:<11} {help_}" for name, (_, help_) in COMMANDS.items()),
    )
    parser.add_argument("--version", action="version", version=_version())
    parser.add_argument("command", choices=sorted(COMMANDS), metavar="COMMAND")
    return parser


def _version() -> str:
    from stromalab import __version__

    return f"stromalab {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        _top_level_parser().print_usage(sys.stderr)
        return 2
    if args[0] not in COMMANDS:
        # argparse prints help (exit 0), the version, or the "invalid choice" error (exit 2).
        _top_level_parser().parse_args(args[:1])
        return 2
    name = args[0]
    module_name, help_ = COMMANDS[name]
    module = importlib.import_module(f"stromalab.commands.{module_name}")
    parser = argparse.ArgumentParser(prog=f"stromalab {name}", description=help_)
    module.add_arguments(parser)
    parsed = parser.parse_args(args[1:])
    status: int = module.run(parsed)
    return status


if __name__ == "__main__":
    sys.exit(main())
