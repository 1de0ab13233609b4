import sys

from kollega.speech.cli import main

sys.exit(main())
