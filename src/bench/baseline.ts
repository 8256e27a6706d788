/**
 * `--baseline <git-rev>`: another revision of tfctl, built in a temporary folder from this checkout's git
 * (`git archive`, no worktree registered), so the bench can tick an identical farm with that revision's
 * code in the same run. node_modules is linked to this checkout's when the lock files are the same, else
 * installed with `npm ci --prefer-offline`. A finished build is kept (keyed by commit) and reused.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBuild, type BuildCode } from './farm-build.js';

export async function prepareBaseline(root: string, rev: string, note: (line: string) => void): Promise<BuildCode & { commit: string }> {
  let commit: string;
  try {
    commit = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    throw new Error(`--baseline ${rev}: not a revision of the git repository at ${root}`);
  }
  const dir = join(tmpdir(), `tfctl-bench-baseline-${commit.slice(0, 12)}`);
  const done = join(dir, '.bench-built');
  if (!existsSync(done)) {
    // Built beside the final folder and renamed into place when finished, so two benches at once never
    // build into the same folder, and one cut short leaves no half-built baseline behind.
    const work = `${dir}.${process.pid}`;
    note(`building the baseline ${commit.slice(0, 12)} in ${dir}`);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    try {
      const archive = spawnSync('sh', ['-c', `git archive ${commit} | tar -x -C '${work}'`], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
      if (archive.status !== 0) throw new Error(`git archive ${commit} failed`);
      const sameLock = readFileSync(join(root, 'package-lock.json'), 'utf8') === readFileSync(join(work, 'package-lock.json'), 'utf8');
      if (sameLock) symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir');
      else run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], work);
      run('npm', ['run', 'build'], work);
      writeFileSync(join(work, '.bench-built'), `${commit}\n`);
      if (existsSync(done)) rmSync(work, { recursive: true, force: true }); // another bench finished first
      else {
        rmSync(dir, { recursive: true, force: true }); // a build cut short, without its marker
        renameSync(work, dir);
      }
    } catch (err) {
      rmSync(work, { recursive: true, force: true });
      if (!existsSync(done)) throw err;
    }
  }
  return { ...(await loadBuild(dir)), commit };
}

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} in ${cwd} exited ${r.status}`);
}
