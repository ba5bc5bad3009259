"""`python -m earlyhelp`: runs the command line (earlyhelp/cli) and exits with its status."""

import sys

from earlyhelp.cli import main

sys.exit(main())
