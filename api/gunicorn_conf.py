"""Production defaults for gunicorn (pmo-ledger serve applies them)."""

worker_class = "gthread"
timeout = 60
graceful_timeout = 20
keepalive = 5
max_requests = 0
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
preload_app = False
errorlog = "-"
loglevel = "info"
forwarded_allow_ips = "127.0.0.1"
