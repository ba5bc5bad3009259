"""`python -m earlyhelp.loadbench`, the load benchmark's old name: it runs
earlyhelp.tools.loadbench."""

from earlyhelp.tools.loadbench import main

if __name__ == "__main__":
    raise SystemExit(main())
