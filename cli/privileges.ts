/**
 * -Z USER as tcpdump 4.99 (Debian's) does it: when running as root, become USER (its groups, its
 * group, its uid; the shim does it, for every thread) once what needs root is open: the sockets
 * of a capture, the file of -r, and the output file of -w, which is then given to USER (chown),
 * so it is owned as if USER had made it. With -C or -G, whose later files are made as the
 * capture goes, USER is taken before the first one, so every file is USER's from the start and
 * a directory USER cannot write to fails at once, not at the first rotation. Not running as
 * root, -Z changes nothing (as in tcpdump).
 * @module
 */
import { XskError } from "../ffi/xsk.ts";
import { UsageError } from "./command.ts";
import { chown } from "./paths.ts";

/** What -Z does for one run. */
export interface Relinquish {
  /** Gives a file just created to the user (nothing when not root). */
  created(path: string): void;
  /** Becomes the user (once; nothing when not root). */
  drop(): void;
}

/** No -Z: nothing to do. */
const KEEP: Relinquish = { created: () => {}, drop: () => {} };

/** -Z's user looked up (a usage error when there is none), before anything is opened. */
export async function relinquish(user: string | undefined): Promise<Relinquish> {
  if (user === undefined) return KEEP;
  const { dropPrivileges, userIds } = await import("../ffi/host.ts");
  let ids;
  try {
    ids = userIds(user);
  } catch (e) {
    if (e instanceof XskError && e.code === "ENOENT") {
      throw new UsageError(`-Z ${user}: no such user`);
    }
    throw e;
  }
  if (!ids.asRoot) return KEEP;
  let dropped = false;
  return {
    created: (path) => {
      if (!dropped) chown(path, ids.uid, ids.gid);
    },
    drop: () => {
      if (dropped) return;
      dropPrivileges(user);
      dropped = true;
    },
  };
}

/** Whether -w makes more files as it goes (-C, -G): then -Z drops before the first. */
export function dropsBeforeOutput(
  args: { write?: string; output: { sizeLimit?: number; seconds?: number } },
): boolean {
  return args.write === undefined || args.output.sizeLimit !== undefined ||
    args.output.seconds !== undefined;
}
