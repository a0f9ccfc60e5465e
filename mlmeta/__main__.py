import sys

from mlmeta.cli import main

sys.exit(main())
