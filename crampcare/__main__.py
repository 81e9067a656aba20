import sys

from crampcare.cli import main

sys.exit(main())
