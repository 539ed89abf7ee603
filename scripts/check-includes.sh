#!/usr/bin/env bash
# check-includes.sh — sim/ reaches the core only through core/kc.h (architecture note).
set -eu
bad=$(grep -nE '#include +"kc_[a-z_]+\.h"' sim/*.c sim/*.h 2>/dev/null || true)
if [ -n "$bad" ]; then echo "include lint: sim/ must include only kc.h from core/:" >&2; echo "$bad" >&2; exit 1; fi
echo "include lint: ok"
