import sys

from earlyhelp.cli import main

sys.exit(main())
