import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatTop } from '../profile-top.js';

/** After a --profile run: where each child's CPU profile is, and its top frames. */
export function printProfiles(dir: string): void {
  if (!existsSync(dir)) return;
  for (const section of readdirSync(dir)) {
    // Main threads only (thread id 0); the ESM loader's thread has its own, uninteresting profile.
    for (const file of readdirSync(join(dir, section)).filter((name) =>
      /\.\d+\.0\.\d+\.cpuprofile$/.test(name),
    )) {
      console.log(`\n${formatTop(join(dir, section, file), 15)}`);
    }
  }
  console.log(`\nprofiles kept in ${dir} (open them in Chrome DevTools, Performance tab, or speedscope)`);
}
