"""Minimal NetBox configuration for the route-truth extractor (benchmark only).

Loaded through NETBOX_CONFIGURATION=netbox_configuration; nothing connects to the
database or Redis while the URL resolver is walked.  LOGIN_REQUIRED is NetBox's
default (True), written out so the truth says which setting it was taken under.
"""

ALLOWED_HOSTS = ["*"]
DATABASES = {
    "default": {
        "NAME": "netbox",
        "USER": "netbox",
        "PASSWORD": "x",
        "HOST": "127.0.0.1",
        "PORT": "1",
    }
}
REDIS = {
    "tasks": {"HOST": "127.0.0.1", "PORT": 1, "DATABASE": 0, "SSL": False},
    "caching": {"HOST": "127.0.0.1", "PORT": 1, "DATABASE": 1, "SSL": False},
}
SECRET_KEY = "corpus-truth-extractor-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
API_TOKEN_PEPPERS = {1: "corpus-truth-extractor-pepper-0123456789-abcdefghijklmnopqrstuvwxyz"}
