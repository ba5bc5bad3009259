"""`python -m earlyhelp.tools.loadbench`: runs the load benchmark's command line."""

import sys

from earlyhelp.tools.loadbench.command import main

if __name__ == "__main__":
    sys.exit(main())
