#!/usr/bin/env bash
# `make install PREFIX=...` gives a usable library: the installed header and pkg-config file build and link
# a C program against the shared and the static library. Argument: the build directory.
set -euo pipefail
build="$1"
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cat > "$prefix/use.c" <<'C'
#include <flashkda.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    fkda_prefill_args a = fkda_prefill_args_default();
    size_t bytes;
    if (fkda_prefill_workspace_size(&a, &bytes) != FKDA_ERROR_NULL_POINTER) return 1; /* q missing */
    if (strstr(fkda_last_error(), "q:") == NULL) return 2;
    printf("%s\n", fkda_version());
    return 0;
}
C
cc -std=c11 "$prefix/use.c" -o "$prefix/use_shared" $(pkg-config --cflags --libs flashkda) -Wl,-rpath,"$prefix/lib"
"$prefix/use_shared"
cc -std=c11 "$prefix/use.c" -o "$prefix/use_static" $(pkg-config --cflags flashkda) "$prefix/lib/libflashkda.a" \
    $(pkg-config --libs-only-L --libs-only-other --static flashkda) $(pkg-config --libs-only-l --static flashkda | sed 's/-lflashkda//')
"$prefix/use_static"
echo "install test: ok"
