#!/usr/bin/env bash
# check-core-purity.sh — the core must stay pure: no clock, randomness, stdio, files,
# environment or process calls among libkc.a's undefined symbols, and no mutable static data.
set -eu
lib=${1:-build/libkc.a}
banned='^(time|clock|clock_gettime|gettimeofday|rand|random|srand|srandom|rand_r|drand48|arc4random|getrandom|printf|fprintf|vfprintf|sprintf|snprintf|vsnprintf|puts|fputs|putchar|fputc|fwrite|fread|fopen|fclose|fflush|open|close|read|write|getenv|setenv|system|exit|abort|stdout|stderr|stdin|perror|sleep|usleep|nanosleep|pthread_.*)$'
bad=$(nm -u "$lib" | awk '{print $2}' | grep -E "$banned" || true)
if [ -n "$bad" ]; then echo "core purity: libkc.a calls banned functions: $bad" >&2; exit 1; fi
# Mutable static or global data shows up as symbols in .data/.bss (nm types d/D/b/B).
data=$(nm "$lib" | awk '$2 ~ /^[dDbB]$/ {print $3}' || true)
if [ -n "$data" ]; then echo "core purity: libkc.a has mutable static data: $data" >&2; exit 1; fi
echo "core purity: ok ($(nm -u "$lib" | awk '{print $2}' | sort -u | tr '\n' ' '))"
