/**
 * Finds and opens the shim once per process, from the first of:
 *
 * 1. `XSKDUMP_SHIM`, when set (read only if `--allow-env` covers it): that file, as it is.
 *    Needs `--allow-ffi=<that path>`.
 * 2. The embedded shim: in the one file, the sealed memfd its launcher filled, opened as
 *    `/proc/self/fd/N` (`cli/onefile_main.ts` names it); else the embedded bytes, when the entry
 *    module imported `ffi/embedded.ts` (the single binary and the bundle do): copied into a
 *    sealed memfd and opened as `/proc/self/fd/N`, so the
 *    shim never lands on a writable path on disk. `memfd_create` comes from libc through a
 *    second, tiny dlopen. Needs `--allow-ffi=<libc path>,/proc/self/fd`; Deno checks those
 *    paths literally (no symlink resolution, a relative path is taken from the working
 *    directory), so {@link LIBC_PATHS} lists every place libc lives and the loader tries them
 *    in that order.
 * 3. Otherwise (a source checkout): `build/libxskdump.so` beside the sources. Needs
 *    `--allow-ffi=<checkout>/build/libxskdump.so`.
 *
 * Only `"buffer"` parameters cross: Deno's pointer APIs would need an unscoped `--allow-ffi`.
 * @module
 */
import { ABI_VERSION, type Shim, symbols } from "./symbols.ts";

/** Where the open shim came from, for diagnostics and tests. */
export interface ShimOrigin {
  /** "override" (XSKDUMP_SHIM), "embedded" (memfd) or "build" (the checkout's build/). */
  kind: "override" | "embedded" | "build";
  /** The path given to dlopen (`/proc/self/fd/N` for the memfd). */
  path: string;
}

/**
 * Absolute paths of glibc's `libc.so.6` on the distributions xskdump runs on, for this CPU, in
 * the order the loader tries them: Debian/Ubuntu multiarch, then Fedora/RHEL/SUSE, then Arch.
 */
export const LIBC_PATHS: readonly string[] = libcPaths(Deno.build.arch);

function libcPaths(arch: string): string[] {
  const triplet = arch === "aarch64" ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
  return [
    `/lib/${triplet}/libc.so.6`,
    `/usr/lib/${triplet}/libc.so.6`,
    "/lib64/libc.so.6",
    "/usr/lib64/libc.so.6",
    "/usr/lib/libc.so.6",
  ];
}

/** The directory the memfd is opened through; grant it with `--allow-ffi`. */
export const MEMFD_DIR = "/proc/self/fd";

let shim: Shim | undefined;
let origin: ShimOrigin | undefined;
let embedded: Uint8Array<ArrayBuffer> | undefined;
let embeddedFile: string | undefined;

/**
 * Makes the loader open the shim from these bytes (via a memfd) instead of build/. Called once,
 * by `ffi/embedded.ts`, before anything opens the shim.
 */
export function embedShim(bytes: Uint8Array<ArrayBuffer>): void {
  if (shim) throw new Error("embedShim() after the shim was opened");
  embedded = bytes;
}

/**
 * Makes the loader open the shim from this file, a sealed memfd the one file's launcher filled
 * (`/proc/self/fd/N`), instead of from build/. Called once, by `cli/onefile_main.ts`, before
 * anything opens the shim.
 */
export function embedShimFile(path: string): void {
  if (shim) throw new Error("embedShimFile() after the shim was opened");
  embeddedFile = path;
}

/** Where the open shim came from; undefined before {@link loadShim} succeeded. */
export function shimOrigin(): ShimOrigin | undefined {
  return origin;
}

/** XSKDUMP_SHIM when set and readable; a script without `--allow-env` just does not see it. */
function overridePath(): string | undefined {
  const env = { name: "env", variable: "XSKDUMP_SHIM" } as const;
  if (Deno.permissions.querySync(env).state !== "granted") return undefined;
  return Deno.env.get("XSKDUMP_SHIM") || undefined;
}

/** The build output of a source checkout. */
function buildPath(): string {
  return new URL("../build/libxskdump.so", import.meta.url).pathname;
}

/** Opens the shim (once) and checks its ABI version. Throws an Error that says what to do. */
export function loadShim(): Shim {
  if (shim) return shim;
  const override = overridePath();
  let lib: Deno.DynamicLibrary<typeof symbols>;
  if (override) {
    lib = openFile(override, "override", "XSKDUMP_SHIM");
  } else if (embeddedFile) {
    lib = openFile(embeddedFile, "embedded", "the one file's shim");
  } else if (embedded) {
    const path = memfdOf(embedded);
    lib = openFile(path, "embedded", "the embedded shim");
  } else {
    lib = openFile(buildPath(), "build", "the shim (run `make build`)");
  }
  const v = lib.symbols.xsk_abi_version();
  if (v !== ABI_VERSION) {
    lib.close();
    const path = origin?.path;
    origin = undefined;
    throw new Error(`shim ${path} has ABI ${v}, this code needs ${ABI_VERSION}: rebuild it`);
  }
  shim = lib.symbols;
  return shim;
}

function openFile(
  path: string,
  kind: ShimOrigin["kind"],
  what: string,
): Deno.DynamicLibrary<typeof symbols> {
  try {
    const lib = Deno.dlopen(path, symbols);
    origin = { kind, path };
    return lib;
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      const grant = kind === "embedded" ? MEMFD_DIR : path;
      throw new Error(`cannot load ${what} (${path}): --allow-ffi does not cover ${grant}`);
    }
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`cannot load ${what} (${path}): ${why}`);
  }
}

// memfd_create(2) flags and fcntl(2) sealing, from <linux/memfd.h> and <fcntl.h>.
const MFD_CLOEXEC = 0x1;
const MFD_ALLOW_SEALING = 0x2;
/** Executable even where vm.memfd_noexec=1 makes memfds noexec by default (Linux 6.3+). */
const MFD_EXEC = 0x10;
const F_ADD_SEALS = 1033;
const F_SEAL_ALL = 0x1 | 0x2 | 0x4 | 0x8; // SEAL, SHRINK, GROW, WRITE

const libcSymbols = {
  memfd_create: { parameters: ["buffer", "u32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  // Variadic in C; an int third argument is passed the same way on x86-64 and aarch64.
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** Opens the first libc of LIBC_PATHS that --allow-ffi allows and that exists. */
function openLibc(): Deno.DynamicLibrary<typeof libcSymbols> {
  const allowed: string[] = [];
  for (const path of LIBC_PATHS) {
    try {
      return Deno.dlopen(path, libcSymbols);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied)) {
        allowed.push(path);
      }
    }
  }
  throw new Error(
    "cannot load the embedded shim: memfd_create needs libc, and " +
      (allowed.length
        ? `none of ${allowed.join(", ")} opens`
        : `--allow-ffi allows none of ${LIBC_PATHS.join(", ")}`),
  );
}

/**
 * Copies the bytes into a sealed, anonymous memfd and returns the path dlopen reaches it by.
 * The descriptor stays open for the process's life: opening the same path again (a worker)
 * gets the same loaded instance, which a fresh memfd would not.
 */
function memfdOf(bytes: Uint8Array<ArrayBuffer>): string {
  const libc = openLibc();
  const c = libc.symbols;
  try {
    const name = new TextEncoder().encode("libxskdump.so\0");
    let fd = c.memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    // Before Linux 6.3, MFD_EXEC is unknown (EINVAL) and memfds are executable anyway.
    if (fd < 0) fd = c.memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) {
      throw new Error(
        "cannot load the embedded shim: memfd_create failed (out of file descriptors or " +
          "memory, or vm.memfd_noexec=2 forbids executable memfds: set XSKDUMP_SHIM to a shim " +
          "file instead)",
      );
    }
    try {
      for (let off = 0; off < bytes.length;) {
        const n = Number(c.write(fd, bytes.subarray(off), BigInt(bytes.length - off)));
        if (n <= 0) throw new Error(`cannot load the embedded shim: write to memfd failed (${n})`);
        off += n;
      }
      // Read-only from now on, for everyone holding the descriptor.
      if (c.fcntl(fd, F_ADD_SEALS, F_SEAL_ALL) < 0) {
        throw new Error("cannot load the embedded shim: sealing the memfd failed");
      }
    } catch (e) {
      c.close(fd);
      throw e;
    }
    return `${MEMFD_DIR}/${fd}`;
  } finally {
    libc.close();
  }
}
