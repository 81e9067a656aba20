"""The web shell: Django settings, the JSON API under /api/v1, sign-in pages.

Nothing here is imported by ``crampcare.cli`` at import time; ``crampcare.web.boot.setup()``
configures Django when a command needs it.
"""
