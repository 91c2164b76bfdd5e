"""Allow ``python -m museumsite``."""

from museumsite.cli import main

raise SystemExit(main())
