#!/bin/sh
# The image's one entry point. Every part first applies migrations under a lock (manage.py
# migrate_locked), so containers started together migrate once and the others wait for it.
set -eu
cd "$(dirname "$0")/.."  # /app in the image
part="${1:-all}"
case "$part" in
  web|worker|watch|all)
    python manage.py migrate_locked --verbosity 1
    if [ "$part" = all ]; then
      exec python -m otpdash.stack
    fi
    exec python -m otpdash.stack "$part"
    ;;
  manage)
    shift
    exec python manage.py "$@"
    ;;
  *)
    echo "usage: web | worker | watch | all | manage COMMAND [ARGS...]" >&2
    exit 64
    ;;
esac
