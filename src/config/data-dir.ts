/**
 * Folders paycall writes to (DATA_DIR and what lies under it) are made when missing, so a
 * fresh DATA_DIR=/some/deep/path just works; one that cannot be used stops start-up with a
 * line naming the variable and the reason.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

export class DataDirError extends Error {
  constructor(variable: string, dir: string, reason: string) {
    super(`${variable}=${dir} cannot be used: ${reason}.`);
    this.name = 'DataDirError';
  }
}

/** Creates `dir` (and its parents) if missing and checks that this process can write in it. */
export function ensureWritableDir(dir: string, variable = 'DATA_DIR'): string {
  const absolute = path.resolve(dir);
  try {
    mkdirSync(absolute, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new DataDirError(variable, dir, 'a file is in the way (it must be a folder)');
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new DataDirError(variable, dir, 'no permission to create it');
    throw new DataDirError(variable, dir, (err as Error).message);
  }
  if (!statSync(absolute).isDirectory()) throw new DataDirError(variable, dir, 'a file is in the way (it must be a folder)');
  try {
    accessSync(absolute, constants.W_OK | constants.X_OK);
  } catch {
    throw new DataDirError(variable, dir, 'the folder is not writable by this user');
  }
  return absolute;
}
