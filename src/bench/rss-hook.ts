// Loaded with `node --import` into a process the benchmark measures: at exit it writes the process's
// peak resident set size (kB) and its CPU time (user and system, µs) to the file named by
// TFCTL_BENCH_RSS_FILE, separated by spaces.
import { writeFileSync } from 'node:fs';

const file = process.env.TFCTL_BENCH_RSS_FILE;
if (file)
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(file, `${u.maxRSS} ${u.userCPUTime} ${u.systemCPUTime}`);
  });
