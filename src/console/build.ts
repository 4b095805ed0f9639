import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../runtime/project-root';

/**
 * The operator console is built from the repository (vite) into console/dist. `npm start` and
 * the test global setup call this, so a fresh clone or an edited console never serves a missing
 * or stale build; `npm run build` builds it too. Nothing is downloaded: vite and its inputs are
 * npm dependencies.
 */
const ROOT = projectRoot();
const CONSOLE = join(ROOT, 'console');
const INDEX = join(CONSOLE, 'dist/index.html');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

/** True when console/dist is missing or older than a source, the vite config or the lock file. */
export function consoleBuildIsStale(): boolean {
  if (!existsSync(INDEX)) return true;
  const built = statSync(INDEX).mtimeMs;
  const inputs = [join(CONSOLE, 'src'), join(CONSOLE, 'index.html'), join(CONSOLE, 'vite.config.mts'), join(ROOT, 'package-lock.json')].filter(existsSync);
  return inputs.some((input) => newestMtime(input) > built);
}

/** Builds the console when missing or stale; `log` says so (a build takes some seconds). */
export function ensureConsoleBuilt(log: (line: string) => void = () => undefined): 'built' | 'fresh' {
  if (!consoleBuildIsStale()) return 'fresh';
  log('building the operator console (vite)…');
  execFileSync(join(ROOT, 'node_modules/.bin/vite'), ['build', '--config', join(CONSOLE, 'vite.config.mts')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return 'built';
}
