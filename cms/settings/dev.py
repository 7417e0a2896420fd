"""Local development: debug on, a fixed insecure key unless one is given."""

import os

from .base import *  # noqa: F401,F403
from .base import ALLOWED_HOSTS

DEBUG = True
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key")
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost"]
