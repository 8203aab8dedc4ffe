import sys

from pipelines.probe.run import main

sys.exit(main())
