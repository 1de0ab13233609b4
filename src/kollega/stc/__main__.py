import sys

from kollega.stc.cli import main

sys.exit(main())
