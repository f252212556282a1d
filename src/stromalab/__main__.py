import sys

from stromalab.cli import main

sys.exit(main())
