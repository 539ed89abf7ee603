#!/usr/bin/env bash
# check-core-purity.sh — the core must stay pure: no clock, randomness, stdio, files,
# environment or process calls among libkc.a's undefined symbols, and no mutable static data.
set -eu
lib=${1:-build/libkc.a}
banned='^(time|clock|clock_gettime|gettimeofday|rand|random|srand|srandom|rand_r|drand48|arc4random|getrandom|printf|fprintf|vfprintf|sprintf|snprintf|vsnprintf|puts|fputs|putchar|fputc|fwrite|fread|fopen|fclose|fflush|open|close|read|write|getenv|setenv|system|exit|abort|stdout|stderr|stdin|perror|sleep|usleep|nanosleep|pthread_.*)$'
bad=$(nm -u "$lib" | awk '{print $2}' | grep -E "$banned" || true)
if [ -n "$bad" ]; then echo "core purity: libkc.a calls banned functions: $bad" >&2; exit 1; fi
# Mutable static or global data lives in .data/.bss (read-only tables holding pointers sit in
# .data.rel.ro, which is fine).
data=$(objdump -t "$lib" | awk '$4 == ".data" || $4 == ".bss" || $4 ~ /^\.(data|bss)\./ && $4 !~ /rel\.ro/ {print $NF}' | grep -v '^\.' || true)
if [ -n "$data" ]; then echo "core purity: libkc.a has mutable static data: $data" >&2; exit 1; fi
echo "core purity: ok (external symbols: $(nm -u "$lib" | awk '{print $2}' | grep -v "^kc_" | sort -u | tr "\n" " "))"
