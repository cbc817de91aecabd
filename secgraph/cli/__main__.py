import sys

from secgraph.cli import main

sys.exit(main())
